import { readFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export const FIXTURES_DIR = new URL('./fixtures/', import.meta.url);

/** A recorded provider payload, e.g. `binance/ticker-24hr-array--docs-2026.json`. */
export function readFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES_DIR), 'utf8');
}

/** One scripted answer. Bodies come from a fixture file, a string or a JSON value. */
export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  fixture?: string;
  body?: string | Buffer;
  json?: unknown;
  /** Wait this long before sending anything (a slow provider). */
  delayMs?: number;
  /** Declare the whole body's length, send only this many bytes, then drop the connection. */
  truncateAfterBytes?: number;
  /** Send without Content-Length (chunked), so a size cap must be enforced while reading. */
  chunked?: boolean;
  /** Slowloris: a status line, then a header one byte every this many ms, never finished. */
  trickleHeadersMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/**
 * A real HTTP server on 127.0.0.1 (random port) that answers each path from a queue of
 * scripted responses; the last one repeats once the queue is drained. Every request is
 * recorded so tests can check what an adapter sent.
 */
export class FixtureServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, ScriptedResponse[]>();

  private readonly server: Server;
  private baseUrl = '';

  private constructor() {
    this.server = createServer((req, res) => {
      void this.answer(req.method ?? 'GET', req.url ?? '/', req.headers, res);
    });
  }

  static async start(): Promise<FixtureServer> {
    const instance = new FixtureServer();
    await new Promise<void>((resolve) => instance.server.listen(0, '127.0.0.1', resolve));
    const { port } = instance.server.address() as AddressInfo;
    instance.baseUrl = `http://127.0.0.1:${port}`;
    return instance;
  }

  get url(): string {
    return this.baseUrl;
  }

  /** Scripts the answers for one path (query strings are recorded, not matched). */
  on(path: string, ...responses: ScriptedResponse[]): this {
    this.routes.set(path, responses);
    return this;
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  reset(): void {
    this.routes.clear();
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(
    method: string,
    rawUrl: string,
    headers: IncomingHttpHeaders,
    res: ServerResponse,
  ): Promise<void> {
    const url = new URL(rawUrl, this.url);
    this.requests.push({ method, path: url.pathname, query: url.searchParams, headers });
    const queue = this.routes.get(url.pathname);
    const scripted = queue && queue.length > 1 ? queue.shift()! : queue?.[0];
    if (!scripted) {
      send(res, { status: 404, json: { message: `no fixture route for ${url.pathname}` } });
      return;
    }
    if (scripted.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
    if (scripted.trickleHeadersMs !== undefined) trickleHeaders(res, scripted.trickleHeadersMs);
    else if (!res.destroyed) send(res, scripted);
  }
}

function send(res: ServerResponse, scripted: ScriptedResponse): void {
  const body = bodyOf(scripted);
  const isJson = scripted.fixture !== undefined || scripted.json !== undefined;
  res.writeHead(scripted.status ?? 200, {
    'content-type': isJson ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    ...(scripted.chunked ? {} : { 'content-length': String(body.byteLength) }),
    date: new Date().toUTCString(),
    ...scripted.headers,
  });
  if (scripted.truncateAfterBytes !== undefined) {
    res.write(body.subarray(0, scripted.truncateAfterBytes), () => res.destroy());
    return;
  }
  res.end(body);
}

/** Writes past node's response machinery, straight to the socket, until the client gives up. */
function trickleHeaders(res: ServerResponse, intervalMs: number): void {
  const socket = res.socket;
  if (!socket) return;
  socket.write('HTTP/1.1 200 OK\r\nX-Slow: ');
  const timer = setInterval(() => socket.write('z'), intervalMs);
  socket.once('close', () => clearInterval(timer));
}

function bodyOf(scripted: ScriptedResponse): Buffer {
  if (scripted.fixture !== undefined) return Buffer.from(readFixture(scripted.fixture));
  if (scripted.json !== undefined) return Buffer.from(JSON.stringify(scripted.json));
  if (scripted.body !== undefined) return Buffer.from(scripted.body);
  return Buffer.alloc(0);
}

/** What a CDN or load balancer in front of an API answers when things go wrong. */
export function htmlErrorPage(status: number, title = `${status} Bad Gateway`): ScriptedResponse {
  return {
    status,
    body: `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center><hr><center>nginx</center></body></html>\n`,
  };
}

export function rateLimited(retryAfterSeconds: number, fixture?: string): ScriptedResponse {
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    ...(fixture ? { fixture } : { json: { message: 'Too Many Requests' } }),
  };
}

/** A JSON body of about `bytes` bytes: well-formed, just too big. */
export function oversizedBody(bytes: number, chunked = false): ScriptedResponse {
  return { json: { padding: 'x'.repeat(bytes) }, chunked };
}
