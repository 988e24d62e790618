import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Field names that may carry credentials anywhere in a log object. pino censors them
 * before serialization, so a careless `log.info({ headers })` cannot leak a key.
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

export function createLogger(name: string, level: LevelWithSilent = 'info'): Logger {
  return pino({
    name,
    level,
    redact: { paths: SECRET_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  });
}
