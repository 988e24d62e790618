import type pg from 'pg';

export type StorageFlavor = 'timescaledb' | 'postgresql';

/** Which flavor a migrated database is on: whether the timescaledb extension is created in it. */
export async function detectFlavor(pool: pg.Pool | pg.Client): Promise<StorageFlavor> {
  const result = await pool.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
  return result.rowCount ? 'timescaledb' : 'postgresql';
}
