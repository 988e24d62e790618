import type pg from 'pg';
import type { StorageFlavor } from './flavor.ts';

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

export interface TickStorageStats {
  /** Chunks of the ticks hypertable (TimescaleDB), null on plain PostgreSQL. */
  chunks: number | null;
  compressedChunks: number | null;
  /** Bytes before compression over bytes after, of the compressed chunks; null when none is. */
  compressionRatio: number | null;
}

/** How TimescaleDB keeps the ticks: chunks, and what compression saves. */
export async function tickStorageStats(
  pool: pg.Pool,
  flavor: StorageFlavor,
): Promise<TickStorageStats> {
  if (flavor !== 'timescaledb')
    return { chunks: null, compressedChunks: null, compressionRatio: null };
  const result = await pool.query<{ chunks: string; compressed: string; ratio: number | null }>(
    `SELECT (SELECT count(*) FROM show_chunks('ticks')) AS chunks,
            coalesce(sum(number_compressed_chunks), 0) AS compressed,
            sum(before_compression_total_bytes)::float8
              / nullif(sum(after_compression_total_bytes), 0)::float8 AS ratio
     FROM hypertable_compression_stats('ticks')`,
  );
  const row = result.rows[0]!;
  return {
    chunks: Number(row.chunks),
    compressedChunks: Number(row.compressed),
    compressionRatio: row.ratio,
  };
}

export interface StoredModel {
  model: string;
  /** The newest forecast's own time (market time), ISO-8601 UTC. */
  lastForecastAt: string;
  /** Symbols the model has stored forecasts for. */
  symbols: number;
}

/**
 * Models with stored forecasts, other than `except` (the declared ones, whose forecasts are
 * live): the model names are read by skipping along the primary key's leading column, so only
 * the models asked about are counted, never the whole history.
 */
export async function storedModelsExcept(
  pool: pg.Pool,
  except: readonly string[],
): Promise<StoredModel[]> {
  const result = await pool.query<{ model: string; last_at: Date; symbols: string }>(
    `WITH RECURSIVE names(model) AS (
       (SELECT model FROM predictions ORDER BY model LIMIT 1)
       UNION ALL
       SELECT (SELECT p.model FROM predictions p WHERE p.model > n.model ORDER BY p.model LIMIT 1)
       FROM names n WHERE n.model IS NOT NULL
     )
     SELECT n.model, stored.last_at, stored.symbols
     FROM names n
     CROSS JOIN LATERAL (
       SELECT max(made_at) AS last_at, count(DISTINCT symbol) AS symbols
       FROM predictions p WHERE p.model = n.model
     ) stored
     WHERE n.model IS NOT NULL AND NOT (n.model = ANY($1::text[]))
     ORDER BY n.model`,
    [except],
  );
  return result.rows.map((row) => ({
    model: row.model,
    lastForecastAt: row.last_at.toISOString(),
    symbols: Number(row.symbols),
  }));
}
