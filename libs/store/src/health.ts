import type pg from 'pg';

export interface SourceFreshness {
  source: string;
  /** Newest tick time over the source's symbols (market time), ISO-8601 UTC. */
  lastTickAt: string;
  /** When the newest of those ticks was stored: what freshness is judged by. */
  lastReceivedAt: string;
  /** Symbols the source has delivered at least one tick for. */
  symbols: number;
}

/** When each source last delivered a tick: reads `latest_ticks`, never the history. */
export async function sourceFreshness(pool: pg.Pool): Promise<SourceFreshness[]> {
  const result = await pool.query<{
    source: string;
    last_tick_at: Date;
    last_received_at: Date;
    symbols: string;
  }>(
    `SELECT source, max(time) AS last_tick_at, max(received_at) AS last_received_at,
            count(*) AS symbols
     FROM latest_ticks GROUP BY source ORDER BY source`,
  );
  return result.rows.map((row) => ({
    source: row.source,
    lastTickAt: row.last_tick_at.toISOString(),
    lastReceivedAt: row.last_received_at.toISOString(),
    symbols: Number(row.symbols),
  }));
}

/** Bytes the current database takes on disk. */
export async function databaseSizeBytes(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ bytes: string }>(
    'SELECT pg_database_size(current_database()) AS bytes',
  );
  return Number(result.rows[0]!.bytes);
}
