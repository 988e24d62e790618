import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from './logger.ts';

/**
 * What every CryptoViz HTTP server refuses before its own code sees a request. A header
 * block above `maxHeaderBytes` gets 431; a request (headers and body) not received within
 * `requestTimeoutMs` gets 408. Neither limit touches a response being streamed: a Server-Sent
 * Events stream stays open for hours, since its request was complete when it began.
 */
export const HTTP_LIMITS = {
  maxHeaderBytes: 16 * 1024,
  requestTimeoutMs: 60_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /** How often the header and request deadlines are checked. */
  deadlineCheckMs: 1_000,
} as const;

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<unknown>;

export interface HttpServerOptions {
  /** The methods this server answers; any other gets 405 with `Allow`. */
  methods: readonly string[];
  /** A client must have sent its whole header block within this (slowloris gets 408). */
  headersTimeoutMs: number;
  log: Logger;
  handle: RequestHandler;
}

export interface Listening {
  server: Server;
  /** The port bound (the one asked for, or the free one picked for port 0). */
  port: number;
  /** Closes the server and every open connection (keep-alive, streams). */
  close(): Promise<void>;
}

/** An error a handler throws to answer with a 4xx and this message instead of a 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** `{ "error": { "message" } }`, the shape every CryptoViz server answers errors in. */
function errorAnswer(message: string, headers: Record<string, string>) {
  const body = JSON.stringify({ error: { message } });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    },
  };
}

/** Answers an error with its status and message. */
export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const answer = errorAnswer(message, headers);
  res.writeHead(status, answer.headers).end(answer.body);
}

/**
 * Why a request cannot be routed at all, or null. Routing code downstream may decode the
 * target, so a malformed percent-escape is refused here, once, for every server.
 */
function refusalOf(req: IncomingMessage, methods: readonly string[]): HttpError | null {
  const method = req.method ?? '';
  if (!methods.includes(method)) {
    return new HttpError(405, `method ${method} is not allowed; use ${methods.join(', ')}`, {
      allow: methods.join(', '),
    });
  }
  if (req.httpVersion === '1.1' && req.headers.host === undefined) {
    return new HttpError(400, 'an HTTP/1.1 request needs a Host header');
  }
  const target = req.url ?? '';
  if (!target.startsWith('/')) {
    return new HttpError(400, 'the request target must be a path starting with /');
  }
  try {
    decodeURIComponent(target);
  } catch {
    return new HttpError(400, 'the request URL has a malformed percent-escape');
  }
  return null;
}

/**
 * Turns every throw or rejection of `handle` into an answer and a log line, never a crash:
 * an HttpError into its status and message, anything else into a 500 that says no more
 * than that the request failed (the cause goes to the log, not to the client).
 */
function totalHandler(options: HttpServerOptions) {
  const { log, methods } = options;
  return (req: IncomingMessage, res: ServerResponse): void => {
    const fail = (err: unknown) => {
      if (!(err instanceof HttpError)) {
        const path = (req.url ?? '').split('?')[0]?.slice(0, 200);
        log.error({ method: req.method, path, err }, 'request handler failed');
      }
      // An answer already complete stands; one cut short must not look complete.
      if (res.writableEnded) return;
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) sendError(res, err.status, err.message, err.headers);
      else sendError(res, 500, 'internal error: the request failed');
    };
    const refusal = refusalOf(req, methods);
    if (refusal) return fail(refusal);
    try {
      const outcome = options.handle(req, res);
      if (outcome instanceof Promise) outcome.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}

/** The answer to a request Node could not even parse; the connection is closed after it. */
function clientErrorAnswer(code: string | undefined, methods: readonly string[]) {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        message: `request headers exceed ${HTTP_LIMITS.maxHeaderBytes / 1024} KiB`,
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'the request was not received in time' };
    case 'HPE_INVALID_METHOD':
      return {
        status: 405,
        message: `unknown method; use ${methods.join(', ')}`,
        allow: methods.join(', '),
      };
    default:
      return { status: 400, message: `malformed HTTP request (${code ?? 'unparseable'})` };
  }
}

/** An error answer written to the socket itself, where Node has no response object for it. */
function writeRaw(
  socket: Duplex,
  status: number,
  message: string,
  extra: Record<string, string> = {},
): void {
  const { body, headers } = errorAnswer(message, { connection: 'close', ...extra });
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head}\r\n${body}`);
}

/**
 * An HTTP server no request can stop: every method, target, header block, body and pace a
 * client may choose ends in an answer (4xx with a message, or a 500 that is logged) or a
 * closed connection, never in an exception that escapes to the process.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const server = createServer(
    {
      maxHeaderSize: HTTP_LIMITS.maxHeaderBytes,
      requestTimeout: HTTP_LIMITS.requestTimeoutMs,
      headersTimeout: Math.min(options.headersTimeoutMs, HTTP_LIMITS.requestTimeoutMs),
      keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
      connectionsCheckingInterval: HTTP_LIMITS.deadlineCheckMs,
      // Checked by the handler instead, which says why (Node's own 400 has no message).
      requireHostHeader: false,
    },
    totalHandler(options),
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
    const answer = clientErrorAnswer(err.code, options.methods);
    options.log.debug({ code: err.code, status: answer.status }, 'refused a malformed request');
    writeRaw(socket, answer.status, answer.message, answer.allow ? { allow: answer.allow } : {});
  });
  // Node hands CONNECT to this event only, and drops the connection unanswered without it.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    const allow = options.methods.join(', ');
    writeRaw(socket, 405, `method CONNECT is not allowed; use ${allow}`, { allow });
  });
  // Failing to accept a connection (out of file descriptors) is this connection's loss, not
  // the server's: without a listener the 'error' event would end the process.
  server.on('error', (err) => options.log.warn({ err }, 'HTTP server error'));
  return server;
}

/** Starts an HTTP server listening, failing (EADDRINUSE, …) instead of hanging. */
export async function listenOn(server: Server, port: number, host: string): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `createHttpServer` listening on `host:port`. */
export function serveHttp(
  options: HttpServerOptions & { host: string; port: number },
): Promise<Listening> {
  return listenOn(createHttpServer(options), options.port, options.host);
}
