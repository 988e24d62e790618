import { pino, type Logger, type LevelWithSilent } from 'pino';
import { createScrubber, REDACTED } from './secrets.ts';

export type { Logger };

/**
 * Field names that may carry credentials anywhere in a log object. pino censors them
 * before serialization, so a careless `log.info({ headers })` cannot leak a key. Known
 * secret values are scrubbed from every line besides (see secrets.ts).
 */
const SECRET_PATHS = [
  'apiKey',
  'token',
  'password',
  'authorization',
  'headers.authorization',
  'headers["x-cg-demo-api-key"]',
  'headers["x-cg-pro-api-key"]',
  'headers["x-cmc_pro_api_key"]',
  '*.apiKey',
  '*.token',
  '*.password',
  '*.authorization',
];

/** `secrets`: values that must not appear, whole or in part, in any line this logger writes. */
export function createLogger(
  name: string,
  level: LevelWithSilent = 'info',
  secrets: readonly (string | undefined)[] = [],
): Logger {
  const scrub = createScrubber(secrets);
  return pino({
    name,
    level,
    redact: { paths: SECRET_PATHS, censor: REDACTED },
    base: { pid: process.pid },
    hooks: { streamWrite: scrub },
  });
}
