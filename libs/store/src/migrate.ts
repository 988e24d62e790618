import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { StorageFlavor } from './flavor.ts';
import {
  checkStoragePolicy,
  DEFAULT_STORAGE_POLICY,
  reconcilePolicies,
  type StoragePolicy,
} from './policies.ts';
import { SCHEMA_VERSION, writeSchemaState } from './schema.ts';
import { refreshMaterializedCandles } from './candles.ts';
import { applyTimescaleSchema, chooseFlavor } from './timescale.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** The migration that rewrote rows from resource names to keys (`namespace/name`). */
const KEYS_MIGRATION = '1763840000000_resource-keys';

/** One lock per database for the whole of a migration, whoever runs it. */
const MIGRATE_LOCK = "hashtext('cryptoviz migrate')";

export interface MigrationLog {
  info(message: string): void;
  /** What an operator should see even when info is hidden; info when absent. */
  warn?(message: string): void;
}

/**
 * Brings a database to the schema this code needs: tables (node-pg-migrate), then, when
 * TimescaleDB can be had, the extension, hypertables, candle aggregates and the declared
 * policies, and last the schema version workers wait for. All of it under one advisory lock,
 * so concurrent calls run one after another, and each finds the work done: safe and
 * idempotent. Only `cryptoviz migrate` (and `cryptoviz up`, and tests) call it.
 */
export async function migrate(
  databaseUrl: string,
  options: { log?: MigrationLog; policy?: StoragePolicy } = {},
): Promise<StorageFlavor> {
  const info = options.log?.info ?? (() => {});
  const log = { info, warn: options.log?.warn ?? info };
  const policy = checkStoragePolicy(options.policy ?? DEFAULT_STORAGE_POLICY);
  const client = new pg.Client({ connectionString: databaseUrl });
  // A connection lost mid-way fails the pending query, which is where it is reported.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const free = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(${MIGRATE_LOCK}) AS locked`,
    );
    if (!free.rows[0]!.locked) {
      log.info('another migration is running on this database: waiting for it');
      await client.query(`SELECT pg_advisory_lock(${MIGRATE_LOCK})`);
    }
    // Loaded here, not at import: the workers import this library but never migrate, and
    // node-pg-migrate with its file globbing is a quarter of a megabyte of code they would carry.
    const { runner } = await import('node-pg-migrate');
    const ran = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'cryptoviz_migrations',
      checkOrder: true,
      log: (message) => log.info(message),
    });
    const flavor = await chooseFlavor(client, log);
    if (flavor === 'timescaledb') {
      await applyTimescaleSchema(client);
      if (ran.some((migration) => migration.name === KEYS_MIGRATION)) {
        // Materialized candles still carry the names the rows had; the refresh policy would
        // fix them (it covers all time), but not before its next run.
        await refreshMaterializedCandles(client);
        log.info('candle aggregates refreshed for resource keys (namespace/name)');
      }
      const changes = await reconcilePolicies(client, policy);
      for (const change of changes) log.info(`policy ${change}`);
      log.info(
        `TimescaleDB: hypertables, candle aggregates; retention ${policyText(policy.ticksRetentionDays)}, ` +
          `compression ${policyText(policy.compressAfterDays)} (${changes.length ? `${changes.length} changed` : 'unchanged'})`,
      );
    }
    await writeSchemaState(client, { version: SCHEMA_VERSION, flavor });
    log.info(`schema version ${SCHEMA_VERSION} (${flavor})`);
    return flavor;
  } finally {
    // Closing the session releases the lock too, even when the unlock can't be sent.
    await client.query(`SELECT pg_advisory_unlock(${MIGRATE_LOCK})`).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

const policyText = (days: number) => (days > 0 ? `after ${days} days of being written` : 'off');
