import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { StorageFlavor } from './flavor.ts';

const TIMESCALE_SQL = fileURLToPath(new URL('./timescale.sql', import.meta.url));

/**
 * The TimescaleDB releases this code knows: 2.13 brought the policies by creation time it
 * declares; 2.28.3 is what it is tested on. A 3.x may change any of it.
 */
export const KNOWN_TIMESCALE = { min: [2, 13], below: [3, 0] } as const;

export function isKnownTimescale(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const at = major * 1000 + minor;
  return (
    at >= KNOWN_TIMESCALE.min[0] * 1000 + KNOWN_TIMESCALE.min[1] &&
    at < KNOWN_TIMESCALE.below[0] * 1000 + KNOWN_TIMESCALE.below[1]
  );
}

const KNOWN_RANGE = `${KNOWN_TIMESCALE.min.join('.')} up to (not including) ${KNOWN_TIMESCALE.below.join('.')}`;

interface SetupLog {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * Which flavor this database gets. Once the extension is created in it, TimescaleDB it is
 * (anything wrong then is an error: the tables are hypertables). Before that, anything that
 * keeps TimescaleDB out — not installed, a version we don't know, not preloaded, no
 * permission — leaves the plain PostgreSQL path, which is always safe, with one message
 * naming what to change to get TimescaleDB.
 */
export async function chooseFlavor(client: pg.ClientBase, log: SetupLog): Promise<StorageFlavor> {
  const created = await client.query<{ extversion: string }>(
    "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'",
  );
  if (created.rows[0]) {
    const version = created.rows[0].extversion;
    if (!isKnownTimescale(version)) {
      throw new Error(
        `timescaledb ${version} is created in this database, a version CryptoViz does not know ` +
          `(it knows ${KNOWN_RANGE}): install a known release and run ` +
          "`ALTER EXTENSION timescaledb UPDATE TO '<version>'`, then run `cryptoviz migrate` again",
      );
    }
    return 'timescaledb';
  }
  const available = await client.query<{ default_version: string }>(
    "SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'",
  );
  const version = available.rows[0]?.default_version;
  if (!version) {
    log.info('TimescaleDB is not installed on this PostgreSQL server: using plain PostgreSQL');
    return 'postgresql';
  }
  if (!isKnownTimescale(version)) {
    log.warn(
      `TimescaleDB ${version} is installed, a version CryptoViz does not know (it knows ` +
        `${KNOWN_RANGE}): using plain PostgreSQL; install a known release to use TimescaleDB`,
    );
    return 'postgresql';
  }
  if ((await preloaded(client)) === false) {
    log.warn(
      'TimescaleDB is installed but not preloaded: using plain PostgreSQL. To use it, add ' +
        "shared_preload_libraries = 'timescaledb' to postgresql.conf, restart PostgreSQL and " +
        'run `cryptoviz migrate` again',
    );
    return 'postgresql';
  }
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
  } catch (err) {
    if ((err as { code?: string }).code !== '42501') throw err;
    const user = await client.query<{ name: string }>('SELECT current_user AS name');
    log.warn(
      `the database user "${user.rows[0]!.name}" may not create the timescaledb extension: ` +
        'using plain PostgreSQL. To use TimescaleDB, run `CREATE EXTENSION timescaledb;` in ' +
        'this database as a superuser once, then run `cryptoviz migrate` again',
    );
    return 'postgresql';
  }
  log.info(`TimescaleDB ${version} created in this database`);
  return 'timescaledb';
}

/**
 * Whether the server preloads timescaledb; undefined when this user may not see the setting
 * (then CREATE EXTENSION answers for it). Asked first because creating the extension on a
 * server that does not preload it ends the session (FATAL), not just the statement.
 */
async function preloaded(client: pg.ClientBase): Promise<boolean | undefined> {
  try {
    const result = await client.query<{ libraries: string }>(
      "SELECT current_setting('shared_preload_libraries') AS libraries",
    );
    return /(^|[\s,])timescaledb([\s,]|$)/.test(result.rows[0]!.libraries);
  } catch (err) {
    if ((err as { code?: string }).code === '42501') return undefined;
    throw err;
  }
}

/** Hypertables, candle aggregates and compression settings: idempotent. */
export async function applyTimescaleSchema(client: pg.ClientBase): Promise<void> {
  const script = await readFile(TIMESCALE_SQL, 'utf8');
  const statements = script
    .split(/;\s*$/m)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
  // Continuous aggregates cannot be created inside a transaction: one statement at a time.
  for (const statement of statements) await client.query(statement);
  // Real-time aggregation (off by default since 2.13): buckets above the watermark are
  // computed from raw ticks at query time. Views an older migrate made without it get it.
  const stale = await client.query<{ view_name: string }>(
    `SELECT view_name FROM timescaledb_information.continuous_aggregates
     WHERE view_schema = current_schema() AND materialized_only AND view_name LIKE 'candles\\_%'`,
  );
  for (const { view_name } of stale.rows) {
    await client.query(
      `ALTER MATERIALIZED VIEW "${view_name}" SET (timescaledb.materialized_only = false)`,
    );
  }
  // Settings can't change once chunks are compressed; set them only the first time.
  const compressed = await client.query<{ compression_enabled: boolean }>(
    `SELECT compression_enabled FROM timescaledb_information.hypertables
     WHERE hypertable_schema = current_schema() AND hypertable_name = 'ticks'`,
  );
  if (!compressed.rows[0]?.compression_enabled) {
    await client.query(
      `ALTER TABLE ticks SET (timescaledb.compress, timescaledb.compress_segmentby = 'source, symbol',
         timescaledb.compress_orderby = 'time DESC')`,
    );
  }
}
