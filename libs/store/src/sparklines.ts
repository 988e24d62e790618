import type pg from 'pg';

export interface Sparkline {
  source: string;
  symbol: string;
  /** Last price of each bucket, oldest first (buckets without ticks are left out). */
  closes: number[];
}

/**
 * A small price trace per (source, symbol) over the last `hours`: the last price of each of
 * `buckets` equal slices. Reads the (source, symbol, time) key range, one pass.
 */
export async function sparklines(
  pool: pg.Pool,
  query: { hours: number; buckets: number; symbols?: readonly string[]; now?: Date },
): Promise<Sparkline[]> {
  const now = query.now ?? new Date();
  const from = new Date(now.getTime() - query.hours * 3_600_000);
  const bucketSecs = (query.hours * 3_600) / query.buckets;
  const result = await pool.query<{ source: string; symbol: string; closes: number[] }>(
    `SELECT source, symbol, array_agg(close ORDER BY bucket) AS closes FROM (
       SELECT DISTINCT ON (source, symbol, bucket) source, symbol,
              date_bin(make_interval(secs => $3), time, $1::timestamptz) AS bucket, price AS close
       FROM ticks
       WHERE time >= $1 AND time < $2 AND ($4::text[] IS NULL OR symbol = ANY($4))
       ORDER BY source, symbol, bucket, time DESC
     ) last_per_bucket
     GROUP BY source, symbol ORDER BY symbol, source`,
    [from, now, bucketSecs, query.symbols ?? null],
  );
  return result.rows;
}
