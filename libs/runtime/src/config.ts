import { hostname } from 'node:os';
import { formatIssues } from '@cryptoviz/resources';
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads process configuration from the environment through one schema. A bad or missing
 * variable stops the process before it does anything, with the variable named.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(`invalid environment: ${formatIssues(result.error)}`);
  }
  return result.data;
}

const port = z.coerce.number().int().min(0).max(65_535);

/** Variables every CryptoViz process understands; each app extends this with its own. */
export const commonEnv = {
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** Port of /metrics, /healthz and /readyz; 0 picks a free one. */
  HTTP_PORT: port.default(9464),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** Seconds a client has to send its request headers to any of this process's HTTP servers. */
  HTTP_HEADERS_TIMEOUT_S: z.coerce.number().positive().max(60).default(10),
  /** Seconds a graceful shutdown may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_S: z.coerce.number().positive().max(600).default(25),
  /**
   * Set by the local process backend: the process that started this one. When it is gone
   * (killed with -9, say), this one stops too rather than run on as an orphan.
   */
  CRYPTOVIZ_PARENT_PID: z.coerce.number().int().positive().optional(),
};

export const natsEnv = {
  NATS_URL: z
    .string()
    .regex(/^(nats|tls|wss?):\/\/[^\s]+$/, 'must be a URL such as nats://127.0.0.1:4222')
    .default('nats://127.0.0.1:4222'),
  /** Prefix for stream, consumer and bucket names and subjects; isolates installs and tests. */
  CRYPTOVIZ_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9_-]{0,32}$/, 'must be up to 32 of a-z 0-9 _ -')
    .default(''),
};

/** A worker's identity in heartbeats and NATS connection names. */
export function workerIdEnv(role: string) {
  return { WORKER_ID: z.string().min(1).default(`${role}-${hostname()}-${process.pid}`) };
}

export const databaseEnv = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a URL such as postgres://user@host:5432/db'),
};
