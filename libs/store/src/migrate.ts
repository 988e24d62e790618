import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';

const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));
const TIMESCALE_SQL = fileURLToPath(new URL('./timescale.sql', import.meta.url));

export type StorageFlavor = 'timescaledb' | 'postgresql';

export interface RetentionPolicy {
  /** Drop raw ticks older than this many days (TimescaleDB only; 0 keeps everything). */
  ticksRetentionDays: number;
  /** Compress tick chunks older than this many days (TimescaleDB only; 0 disables). */
  compressAfterDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { ticksRetentionDays: 90, compressAfterDays: 7 };

interface MigrationLog {
  info(message: string): void;
  /** What an operator should see even when info is hidden; info when absent. */
  warn?(message: string): void;
}

/**
 * Brings the schema up to date (node-pg-migrate, under its advisory lock, so concurrent
 * workers are safe), then turns on TimescaleDB features when the extension can be had.
 */
export async function migrate(
  databaseUrl: string,
  options: { log?: MigrationLog; retention?: RetentionPolicy } = {},
): Promise<StorageFlavor> {
  const log = options.log ?? { info: () => {} };
  await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'cryptoviz_migrations',
    checkOrder: true,
    log: (message) => log.info(message),
  });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const available = await client.query(
      "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'",
    );
    if (available.rowCount === 0) {
      log.info('timescaledb is not available: using the plain PostgreSQL path');
      return 'postgresql';
    }
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    } catch (err) {
      // Installed but not loadable (missing from shared_preload_libraries, say): the plain
      // path works, so use it rather than refuse to start.
      (log.warn ?? log.info)(
        `timescaledb is installed but cannot be created (${(err as Error).message}): using the plain PostgreSQL path`,
      );
      return 'postgresql';
    }
    await applyTimescale(client, options.retention ?? DEFAULT_RETENTION);
    log.info('timescaledb enabled: hypertable, continuous aggregates, policies');
    return 'timescaledb';
  } finally {
    await client.end();
  }
}

async function applyTimescale(client: pg.Client, retention: RetentionPolicy): Promise<void> {
  const script = await readFile(TIMESCALE_SQL, 'utf8');
  const statements = script
    .split(/;\s*$/m)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
  // Continuous aggregates cannot be created inside a transaction: one statement at a time.
  for (const statement of statements) await client.query(statement);
  await client.query("SELECT remove_retention_policy('ticks', if_exists => TRUE)");
  if (retention.ticksRetentionDays > 0) {
    await client.query(
      "SELECT add_retention_policy('ticks', make_interval(days => $1::int), if_not_exists => TRUE)",
      [retention.ticksRetentionDays],
    );
  }
  await client.query("SELECT remove_compression_policy('ticks', if_exists => TRUE)");
  if (retention.compressAfterDays > 0) {
    await client.query(
      "SELECT add_compression_policy('ticks', make_interval(days => $1::int), if_not_exists => TRUE)",
      [retention.compressAfterDays],
    );
  }
}

export async function detectFlavor(pool: pg.Pool): Promise<StorageFlavor> {
  const result = await pool.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
  return result.rowCount ? 'timescaledb' : 'postgresql';
}
