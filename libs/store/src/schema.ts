import pg from 'pg';
import { waitUntilReady, type WaitOptions } from '@cryptoviz/runtime/wait';
import type { StorageFlavor } from './flavor.ts';

/**
 * The schema this code needs. Bump it with every change to migrations/, timescale.sql or the
 * policies' shape: workers wait until `cryptoviz migrate` has brought a database to it.
 */
export const SCHEMA_VERSION = 4;

export interface SchemaState {
  version: number;
  flavor: StorageFlavor;
}

/** What `cryptoviz migrate` last completed here; undefined when it never has. */
export async function readSchemaState(
  db: pg.ClientBase | pg.Pool,
): Promise<SchemaState | undefined> {
  const table = await db.query<{ exists: boolean }>(
    "SELECT to_regclass('cryptoviz_schema') IS NOT NULL AS exists",
  );
  if (!table.rows[0]!.exists) return undefined;
  const result = await db.query<SchemaState>('SELECT version, flavor FROM cryptoviz_schema');
  return result.rows[0];
}

export async function writeSchemaState(db: pg.ClientBase, state: SchemaState): Promise<void> {
  await db.query(
    `INSERT INTO cryptoviz_schema (version, flavor) VALUES ($1, $2)
     ON CONFLICT (singleton) DO UPDATE SET version = excluded.version, flavor = excluded.flavor,
       migrated_at = now()`,
    [state.version, state.flavor],
  );
}

/**
 * Waits until the database's schema is at least the one this code needs and returns its
 * flavor. Workers call this instead of migrating: the schema has one owner, `cryptoviz
 * migrate`. Says once (then every minute) what it waits for; an unreachable database is
 * waited for too, as a Job may still be starting it.
 */
export async function waitForSchema(
  databaseUrl: string,
  options: Omit<WaitOptions, 'remedy'>,
): Promise<StorageFlavor> {
  return waitUntilReady(
    async () => {
      const client = new pg.Client({
        connectionString: databaseUrl,
        connectionTimeoutMillis: 5_000,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const state = await readSchemaState(client);
        if (state && state.version >= SCHEMA_VERSION) return { ready: true, value: state.flavor };
        return {
          ready: false,
          waitingFor: state
            ? `the database schema is version ${state.version}, this worker needs ${SCHEMA_VERSION}`
            : 'the database has no CryptoViz schema yet',
        };
      } catch (err) {
        return {
          ready: false,
          waitingFor: `the database does not answer (${(err as Error).message})`,
        };
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    { ...options, remedy: 'run `cryptoviz migrate` against it' },
  );
}
