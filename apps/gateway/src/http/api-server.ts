import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { listenOn, type Listening, type Logger, type Registry } from '@cryptoviz/runtime';
import { bearerFrom, type GatewayDeps } from '../context.ts';
import { appRouter } from '../router.ts';
import { clientAddress } from './client-address.ts';
import { handleCors } from './cors.ts';
import { hotQueries } from './hot-queries.ts';
import { httpMetrics } from './http-metrics.ts';
import { RateLimiter } from './rate-limiter.ts';

export const API_BASE_PATH = '/trpc/';
const MAX_BODY_BYTES = 256 * 1024;
const MAX_BATCH = 20;

export interface ApiServerOptions {
  deps: GatewayDeps;
  host: string;
  port: number;
  corsOrigins: readonly string[];
  rateLimitPerMin: number;
  trustProxy: boolean;
  registry: Registry;
  log: Logger;
}

export type ApiServer = Listening;

const KNOWN_PROCEDURES = new Set(Object.keys(appRouter._def.procedures));

/** A bounded metrics label: the procedure if it exists, never whatever a client typed. */
function procedureLabel(path: string): string {
  const name = decodeURIComponent(path.slice(API_BASE_PATH.length));
  if (KNOWN_PROCEDURES.has(name)) return name;
  return name.includes(',') ? 'batch' : 'unknown';
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * The public API: tRPC under /trpc/ (queries, mutations, SSE subscriptions), behind CORS, a
 * per-client rate limit and an access log that records method, path, status and time, and
 * never a header (the bearer token travels in one).
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { deps, log } = options;
  const metrics = httpMetrics(options.registry);
  const limiter = new RateLimiter(options.rateLimitPerMin);
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: API_BASE_PATH,
    maxBodySize: MAX_BODY_BYTES,
    maxBatchSize: MAX_BATCH,
    createContext: ({ req }) => ({
      deps,
      bearer: bearerFrom(req.headers.authorization),
      client: clientAddress(req, options.trustProxy),
    }),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        const cause = error.cause instanceof Error ? error.cause.message : error.message;
        log.error({ procedure: path, err: cause }, 'procedure failed');
      }
    },
  });

  const hot = hotQueries(deps);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const startedMs = performance.now();
    const client = clientAddress(req, options.trustProxy);
    let path: string;
    let search: URLSearchParams;
    try {
      const url = new URL(req.url ?? '/', 'http://gateway');
      path = url.pathname;
      search = url.searchParams;
    } catch {
      return sendJson(res, 400, { error: { message: 'malformed request URL' } });
    }
    if (handleCors(req, res, options.corsOrigins)) return;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (!path.startsWith(API_BASE_PATH)) {
      return sendJson(res, 404, {
        error: { message: `no such endpoint; the API is under ${API_BASE_PATH}` },
      });
    }
    const procedure = procedureLabel(path);
    const live = req.headers.accept?.includes('text/event-stream') ?? false;
    const verdict = limiter.take(client);
    if (!verdict.allowed) {
      metrics.rateLimited.inc();
      log.warn({ client, procedure }, 'rate limited');
      return sendJson(
        res,
        429,
        {
          error: {
            code: 'TOO_MANY_REQUESTS',
            message: `rate limit exceeded; retry in ${verdict.retryAfterS} s`,
          },
        },
        { 'retry-after': String(verdict.retryAfterS) },
      );
    }
    if (live) metrics.subscriptions.inc();
    res.once('close', () => {
      const ms = performance.now() - startedMs;
      const status = res.statusCode;
      metrics.requests.inc({ procedure, status });
      if (live) metrics.subscriptions.dec();
      else metrics.seconds.observe({ procedure }, ms / 1000);
      const entry = { method: req.method, procedure, status, ms: Math.round(ms * 10) / 10, client };
      if (status >= 500) log.warn(entry, 'request failed');
      else if (status >= 400 || req.method === 'POST' || live) log.info(entry, 'request');
      else log.debug(entry, 'request');
    });
    if (live) return trpc(req, res);
    void hot.tryServe(req, res, procedure, search).then((served) => served || trpc(req, res));
  };

  const server = createServer(handle);
  // SSE streams stay open for hours; only idle keep-alive sockets are timed out.
  server.requestTimeout = 0;
  return listenOn(server, options.port, options.host);
}
