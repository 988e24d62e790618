import type { Command } from 'commander';
import { z } from 'zod';
import { commonEnv, ConfigError, createLogger, databaseEnv, loadConfig } from '@cryptoviz/runtime';
import {
  checkStoragePolicy,
  migrate,
  storagePolicyEnv,
  type MigrationLog,
  type StoragePolicy,
} from '@cryptoviz/store';

const migrateEnv = z.object({
  ...databaseEnv,
  ...storagePolicyEnv,
  LOG_LEVEL: commonEnv.LOG_LEVEL,
});

/** The declared storage policy from the environment, or a ConfigError naming the variable. */
export function storagePolicyFrom(env: NodeJS.ProcessEnv): StoragePolicy {
  const config = loadConfig(z.object(storagePolicyEnv), env);
  try {
    return checkStoragePolicy({
      ticksRetentionDays: config.TICKS_RETENTION_DAYS,
      compressAfterDays: config.TICKS_COMPRESS_AFTER_DAYS,
    });
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/**
 * `cryptoviz migrate`: the one owner of the schema (the Helm chart's pre-install/pre-upgrade
 * Job, and `cryptoviz up` before its workers). Exit 0 once the schema is current, 2 on bad
 * configuration, 1 when the migration fails; every step is a log line.
 */
async function runMigrate(env: NodeJS.ProcessEnv): Promise<number> {
  let config: z.output<typeof migrateEnv>;
  let policy: StoragePolicy;
  try {
    config = loadConfig(migrateEnv, env);
    policy = storagePolicyFrom(env);
  } catch (err) {
    process.stderr.write(`cryptoviz migrate: ${(err as Error).message}\n`);
    return 2;
  }
  const log = createLogger('migrate', config.LOG_LEVEL);
  const migrationLog: MigrationLog = { info: (m) => log.info(m), warn: (m) => log.warn(m) };
  try {
    const flavor = await migrate(config.DATABASE_URL, { log: migrationLog, policy });
    log.info({ flavor }, 'database schema is current');
    return 0;
  } catch (err) {
    log.error({ err: { message: (err as Error).message } }, 'migration failed');
    return 1;
  }
}

export function register(program: Command): void {
  program
    .command('migrate')
    .description(
      'bring the database to the current schema: tables, and with TimescaleDB hypertables, ' +
        'candle aggregates and the declared policies (env: DATABASE_URL, TICKS_RETENTION_DAYS, ' +
        'TICKS_COMPRESS_AFTER_DAYS, LOG_LEVEL); safe to run concurrently; exit 0 done, ' +
        '1 failed, 2 bad configuration',
    )
    .action(async () => {
      process.exitCode = await runMigrate(process.env);
    });
}
