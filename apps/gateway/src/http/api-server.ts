import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import {
  HttpError,
  serveHttp,
  type Listening,
  type Logger,
  type Registry,
} from '@cryptoviz/runtime';
import { bearerFrom, type GatewayDeps } from '../context.ts';
import { appRouter } from '../router.ts';
import { clientAddress } from './client-address.ts';
import { handleCors } from './cors.ts';
import { hotQueries } from './hot-queries.ts';
import { httpMetrics } from './http-metrics.ts';
import { ClientRateLimiter } from './client-rate-limiter.ts';

export const API_BASE_PATH = '/trpc/';
const MAX_BODY_BYTES = 256 * 1024;
const MAX_BATCH = 20;
/** tRPC's verbs, plus OPTIONS for CORS preflights. */
const METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'];

export interface ApiServerOptions {
  deps: GatewayDeps;
  host: string;
  port: number;
  corsOrigins: readonly string[];
  rateLimitPerMin: number;
  /** How long hot public answers are reused (GATEWAY_HOT_CACHE_MS). */
  hotCacheMs: number;
  trustProxy: boolean;
  registry: Registry;
  headersTimeoutMs: number;
  log: Logger;
}

export type ApiServer = Listening;

const KNOWN_PROCEDURES = new Set(Object.keys(appRouter._def.procedures));

/**
 * A bounded metrics label: the procedure if it exists, never whatever a client typed. The
 * server has refused malformed escapes before any handler runs, so decoding cannot throw.
 */
function procedureLabel(path: string): string {
  const name = decodeURIComponent(path.slice(API_BASE_PATH.length));
  if (KNOWN_PROCEDURES.has(name)) return name;
  return name.includes(',') ? 'batch' : 'unknown';
}

/** The request target as a URL; prefixed rather than resolved, so `//x` stays a path. */
function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(`http://gateway${req.url ?? '/'}`);
  } catch {
    throw new HttpError(400, 'malformed request URL');
  }
}

/**
 * The public API: tRPC under /trpc/ (queries, mutations, SSE subscriptions), behind CORS, a
 * per-client rate limit and an access log that records method, path, status and time, and
 * never a header (the bearer token travels in one).
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { deps, log } = options;
  const metrics = httpMetrics(options.registry);
  const limiter = new ClientRateLimiter(options.rateLimitPerMin);
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

  const hot = hotQueries(deps, options.hotCacheMs);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const startedMs = performance.now();
    const client = clientAddress(req, options.trustProxy);
    const { pathname: path, searchParams: search } = requestUrl(req);
    if (handleCors(req, res, options.corsOrigins)) return;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (!path.startsWith(API_BASE_PATH)) {
      throw new HttpError(404, `no such endpoint; the API is under ${API_BASE_PATH}`);
    }
    const procedure = procedureLabel(path);
    const live = req.headers.accept?.includes('text/event-stream') ?? false;
    const verdict = limiter.take(client);
    if (!verdict.allowed) {
      metrics.rateLimited.inc();
      log.warn({ client, procedure }, 'rate limited');
      throw new HttpError(429, `rate limit exceeded; retry in ${verdict.retryAfterS} s`, {
        'retry-after': String(verdict.retryAfterS),
      });
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
    if (live || !(await hot.tryServe(req, res, procedure, search))) trpc(req, res);
  };

  return serveHttp({
    host: options.host,
    port: options.port,
    headersTimeoutMs: options.headersTimeoutMs,
    log,
    methods: METHODS,
    handle,
  });
}
