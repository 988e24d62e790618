import type pg from 'pg';
import { detectFlavor, type StorageFlavor } from './flavor.ts';

/** Candle sizes, in milliseconds (TimescaleDB keeps one continuous aggregate per size). */
export const CANDLE_INTERVALS = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type CandleInterval = keyof typeof CANDLE_INTERVALS;

export interface Candle {
  /** Bucket start, ISO-8601 UTC. */
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  ticks: number;
}

export interface CandleQuery {
  source: string;
  symbol: string;
  interval: CandleInterval;
  from: Date;
  to: Date;
}

interface CandleRow {
  bucket: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  ticks: string;
}

/**
 * Buckets are aligned to the Unix epoch in UTC on both flavors: `time_bucket`'s default
 * origin (2000-01-03 UTC) is a whole number of days after it, and plain `date_bin` is given
 * the epoch itself, never a literal the session's TimeZone could shift.
 */
const floorTo = (ms: number, size: number) => Math.floor(ms / size) * size;

/**
 * OHLC candles of every bucket that overlaps [from, to), each one whole: a range whose ends
 * fall inside a bucket neither cuts its first candle nor its last, so both flavors answer
 * the same. TimescaleDB reads its continuous aggregate (real-time aggregation covers what is
 * above the watermark, `insertTicks` refreshes what is written below it); plain PostgreSQL
 * buckets the raw ticks.
 */
export async function candles(
  pool: pg.Pool,
  flavor: StorageFlavor,
  query: CandleQuery,
): Promise<Candle[]> {
  const size = CANDLE_INTERVALS[query.interval];
  const first = new Date(floorTo(query.from.getTime(), size));
  const end = new Date(floorTo(query.to.getTime() - 1, size) + size);
  const sql =
    flavor === 'timescaledb'
      ? `SELECT bucket, open, high, low, close, ticks FROM candles_${query.interval}
         WHERE source = $1 AND symbol = $2 AND bucket >= $3 AND bucket < $4 ORDER BY bucket`
      : `SELECT date_bin(make_interval(secs => $5::float8 / 1000), time, TIMESTAMPTZ 'epoch') AS bucket,
                (array_agg(price ORDER BY time))[1] AS open, max(price) AS high,
                min(price) AS low, (array_agg(price ORDER BY time DESC))[1] AS close,
                count(*) AS ticks
         FROM ticks WHERE source = $1 AND symbol = $2 AND time >= $3 AND time < $4
         GROUP BY bucket ORDER BY bucket`;
  const params: unknown[] = [query.source, query.symbol, first, end];
  if (flavor !== 'timescaledb') params.push(size);
  const result = await pool.query<CandleRow>(sql, params);
  return result.rows.map((row) => ({
    time: row.bucket.toISOString(),
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    ticks: Number(row.ticks),
  }));
}

/** Whether a pool's database is on TimescaleDB, asked once per pool. */
const flavors = new WeakMap<pg.Pool, Promise<StorageFlavor>>();

/**
 * Ticks written below the aggregates' invalidation threshold (late ticks, gap-fills, replays
 * of the past) are logged as invalidations and are not in their candles until a refresh of
 * their buckets: real-time aggregation only covers what lies above the watermark. This
 * refreshes, per aggregate, the one window from the batch's oldest bucket to its newest below
 * the threshold: TimescaleDB logs a transaction's writes as one range per hypertable, so that
 * window is what a later policy run would redo anyway. The threshold rather than the
 * watermark: while a policy run is between the two, what it does not see yet is ours to
 * refresh once it is done. Ticks above the threshold cost one catalog query.
 */
export async function refreshCandlesBelowWatermark(
  pool: pg.Pool,
  ticks: readonly { time: string }[],
): Promise<void> {
  let flavor = flavors.get(pool);
  if (!flavor) flavors.set(pool, (flavor = detectFlavor(pool)));
  if ((await flavor) !== 'timescaledb' || ticks.length === 0) return;
  let oldest = Infinity;
  let newest = -Infinity;
  for (const tick of ticks) {
    const ms = Date.parse(tick.time);
    oldest = Math.min(oldest, ms);
    newest = Math.max(newest, ms);
  }
  const below = await invalidationThresholdMs(pool);
  if (below === undefined || oldest >= below) return;
  for (const interval of Object.keys(CANDLE_INTERVALS) as CandleInterval[]) {
    const size = CANDLE_INTERVALS[interval];
    const start = floorTo(oldest, size);
    // Each aggregate's own watermark is a bucket boundary at or below the threshold; the
    // bucket the threshold falls in is computed at query time.
    const end = Math.min(floorTo(newest, size) + size, floorTo(below, size));
    if (start < end)
      await refreshWindow(pool, `candles_${interval}`, new Date(start), new Date(end));
  }
}

/**
 * Recomputes every candle aggregate's materialized buckets where their ticks changed: after a
 * migration rewrote rows in place (their candles keep the old values until refreshed). Above
 * the threshold, real-time aggregation reads the rows as they are.
 */
export async function refreshMaterializedCandles(db: pg.ClientBase | pg.Pool): Promise<void> {
  const below = await invalidationThresholdMs(db);
  if (below === undefined) return;
  for (const interval of Object.keys(CANDLE_INTERVALS) as CandleInterval[]) {
    const end = floorTo(below, CANDLE_INTERVALS[interval]);
    // No tick is older than the epoch; an aggregate never refreshed has nothing to redo.
    if (end > 0) await refreshWindow(db, `candles_${interval}`, new Date(0), new Date(end));
  }
}

/** Up to where (ms) the candle aggregates are materialized; undefined before any refresh. */
async function invalidationThresholdMs(db: pg.ClientBase | pg.Pool): Promise<number | undefined> {
  // extract() gives numeric, which node-postgres hands over as a string.
  const threshold = await db.query<{ threshold_ms: string | null }>(
    `SELECT extract(epoch FROM _timescaledb_functions.to_timestamp(t.watermark)) * 1000 AS threshold_ms
     FROM _timescaledb_catalog.continuous_aggs_invalidation_threshold t
     JOIN _timescaledb_catalog.hypertable h ON h.id = t.hypertable_id
     WHERE h.schema_name = current_schema() AND h.table_name = 'ticks'`,
  );
  const ms = Number(threshold.rows[0]?.threshold_ms ?? Number.NaN);
  return Number.isFinite(ms) ? ms : undefined;
}

/** TimescaleDB refuses a refresh while another of the same aggregate runs (a policy's, say). */
const CONCURRENT_REFRESH = /due to a concurrent refresh/;

async function refreshWindow(
  db: pg.ClientBase | pg.Pool,
  view: string,
  start: Date,
  end: Date,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.query(
        'CALL refresh_continuous_aggregate($1::regclass, $2::timestamptz, $3::timestamptz)',
        [view, start, end],
      );
      return;
    } catch (err) {
      if (attempt >= 20 || !CONCURRENT_REFRESH.test((err as Error).message)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
