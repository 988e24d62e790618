import { hostname } from 'node:os';
import { z } from 'zod';
import type { QueryLimits } from '@cryptoviz/api';
import { dataDirEnv } from '@cryptoviz/market';
import { databaseEnv, natsEnv } from '@cryptoviz/runtime';

const DAY_MS = 86_400_000;

/** `*`, or a comma-separated list of exact origins a browser may call the gateway from. */
const corsOrigins = z
  .string()
  .default('')
  .transform((text) =>
    text
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .refine(
    (origins) => origins.every((o) => o === '*' || /^https?:\/\/[^\s/]+$/.test(o)),
    'must be * or comma-separated origins such as https://dash.example.com',
  );

export const gatewayEnv = {
  ...natsEnv,
  ...databaseEnv,
  /** Set: a replay source's files must exist inside it when the source is saved. */
  ...dataDirEnv,
  /** The tRPC API's own port (probes and metrics stay on HTTP_PORT). 0 picks a free one. */
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  GATEWAY_HOST: z.string().default('0.0.0.0'),
  /**
   * Bearer token that unlocks mutations (a Secret in a cluster). Unset: the gateway is
   * read-only, every mutation is refused.
   */
  GATEWAY_TOKEN: z
    .union([z.literal(''), z.string().min(16, 'must be at least 16 characters')])
    .optional()
    .transform((token) => token || undefined),
  GATEWAY_CORS_ORIGINS: corsOrigins,
  /** Requests per client per minute (a token bucket; SSE connects count once). */
  GATEWAY_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).max(10_000_000).default(6_000),
  /**
   * How long a hot public answer (`markets.latest`) is reused, in ms: polled prices may be this
   * stale; a change of resources made through the gateway clears it. 0 turns the cache off.
   */
  GATEWAY_HOT_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(250),
  /** Longest candle range one query may ask for, in days. */
  GATEWAY_MAX_RANGE_DAYS: z.coerce.number().int().min(1).max(3_650).default(90),
  /** Most rows one query may return (candles, prediction history). */
  GATEWAY_MAX_ROWS: z.coerce.number().int().min(10).max(1_000_000).default(5_000),
  /** Live subscriptions open at once, over all clients. */
  GATEWAY_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(100_000).default(500),
  /** Live subscriptions one client (address) may hold: a dashboard tab holds a few. */
  GATEWAY_MAX_SUBSCRIPTIONS_PER_CLIENT: z.coerce.number().int().min(1).max(100_000).default(50),
  /** A resuming client replays at most this many stream messages; older ones are skipped. */
  GATEWAY_MAX_REPLAY: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  /** Where CryptoSources and PredictionModels live: a manifests folder, or the Kubernetes API. */
  GATEWAY_RESOURCES: z.enum(['folder', 'kubernetes']).default('folder'),
  /** Folder of CryptoSource/PredictionModel manifests that mutations edit (local mode). */
  GATEWAY_MANIFESTS: z.string().min(1).default('k8s-dev/samples'),
  /**
   * The namespace whose resources the gateway serves (kubernetes mode), and so its current one:
   * a manifest without a namespace goes into it, a bare name means one of it.
   */
  GATEWAY_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a Kubernetes namespace name')
    .default('default'),
  /** Trust X-Forwarded-For for the client address (only behind a proxy you run). */
  GATEWAY_TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  WORKER_ID: z.string().min(1).default(`gateway-${hostname()}-${process.pid}`),
};

export type GatewayConfig = z.output<z.ZodObject<typeof gatewayEnv>>;

export function queryLimits(config: GatewayConfig): QueryLimits {
  return {
    maxRangeMs: config.GATEWAY_MAX_RANGE_DAYS * DAY_MS,
    maxRows: config.GATEWAY_MAX_ROWS,
    maxReplay: config.GATEWAY_MAX_REPLAY,
  };
}
