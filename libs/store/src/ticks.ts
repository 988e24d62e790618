import type { Tick } from '@cryptoviz/market';
import type pg from 'pg';
import { refreshCandlesBelowWatermark } from './candles.ts';
import { isTransientDatabaseError } from './pool.ts';

const TICK_COLUMNS =
  'time, source, symbol, provider, quote, price, volume_24h, market_cap, change_24h_pct';
const UNNEST_TICKS = `UNNEST($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[],
  $6::float8[], $7::float8[], $8::float8[], $9::float8[])`;

function columns(ticks: readonly Tick[]): unknown[][] {
  const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
  for (const t of ticks) {
    cols[0]!.push(t.time);
    cols[1]!.push(t.source);
    cols[2]!.push(t.symbol);
    cols[3]!.push(t.provider);
    cols[4]!.push(t.quote);
    cols[5]!.push(t.price);
    cols[6]!.push(t.volume24h);
    cols[7]!.push(t.marketCap);
    cols[8]!.push(t.change24hPct);
  }
  return cols;
}

/** The newest tick of each (source, symbol) in a batch: what `latest_ticks` must reflect. */
function newestPerKey(ticks: readonly Tick[]): Tick[] {
  const newest = new Map<string, Tick>();
  for (const tick of ticks) {
    const key = `${tick.source}\u0000${tick.symbol}`;
    const seen = newest.get(key);
    if (!seen || Date.parse(seen.time) < Date.parse(tick.time)) newest.set(key, tick);
  }
  // A fixed order of row locks: concurrent batches updating the same keys wait, never deadlock.
  return [...newest.values()].sort((a, b) =>
    a.source === b.source ? (a.symbol < b.symbol ? -1 : 1) : a.source < b.source ? -1 : 1,
  );
}

/**
 * Inserts a batch in one transaction: duplicates (redeliveries, re-publishes) are ignored
 * by the natural key, and `latest_ticks` only ever moves forward in time. On TimescaleDB the
 * candles the batch touched below the aggregates' watermark are then refreshed, so a late or
 * replayed tick is in its candle when this returns. Returns how many ticks were new.
 */
export async function insertTicks(pool: pg.Pool, ticks: readonly Tick[]): Promise<number> {
  if (ticks.length === 0) return 0;
  const inserted = await insertInOneTransaction(pool, ticks);
  await refreshCandlesBelowWatermark(pool, ticks);
  return inserted;
}

async function insertInOneTransaction(pool: pg.Pool, ticks: readonly Tick[]): Promise<number> {
  const client = await pool.connect();
  // A connection dying mid-transaction also fails the pending query, which is where it is
  // handled; without a listener the client's 'error' event would crash the process.
  const ignore = () => {};
  client.on('error', ignore);
  let broken: unknown;
  try {
    await client.query('BEGIN');
    const inserted = await client.query(
      `INSERT INTO ticks (${TICK_COLUMNS}) SELECT * FROM ${UNNEST_TICKS} ON CONFLICT DO NOTHING`,
      columns(ticks),
    );
    await client.query(
      `INSERT INTO latest_ticks (${TICK_COLUMNS}) SELECT * FROM ${UNNEST_TICKS}
       ON CONFLICT (source, symbol) DO UPDATE SET
         time = excluded.time, provider = excluded.provider, quote = excluded.quote,
         price = excluded.price, volume_24h = excluded.volume_24h,
         market_cap = excluded.market_cap, change_24h_pct = excluded.change_24h_pct,
         received_at = now()
       WHERE latest_ticks.time < excluded.time`,
      columns(newestPerKey(ticks)),
    );
    await client.query('COMMIT');
    return inserted.rowCount ?? 0;
  } catch (err) {
    if (isTransientDatabaseError(err)) broken = err;
    else await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.off('error', ignore);
    // A broken connection is discarded, not returned to the pool.
    client.release(broken instanceof Error ? broken : undefined);
  }
}

interface TickRow {
  time: Date;
  source: string;
  symbol: string;
  provider: string;
  quote: string;
  price: number;
  volume_24h: number | null;
  market_cap: number | null;
  change_24h_pct: number | null;
}

function toTick(row: TickRow): Tick {
  return {
    time: row.time.toISOString(),
    source: row.source,
    symbol: row.symbol,
    provider: row.provider as Tick['provider'],
    quote: row.quote,
    price: row.price,
    volume24h: row.volume_24h,
    marketCap: row.market_cap,
    change24hPct: row.change_24h_pct,
  };
}

/** The latest tick per (source, symbol), optionally narrowed to some symbols or sources. */
export async function latestTicks(
  pool: pg.Pool,
  filter: { symbols?: readonly string[]; sources?: readonly string[] } = {},
): Promise<Tick[]> {
  const result = await pool.query<TickRow>(
    `SELECT ${TICK_COLUMNS} FROM latest_ticks
     WHERE ($1::text[] IS NULL OR symbol = ANY($1)) AND ($2::text[] IS NULL OR source = ANY($2))
     ORDER BY symbol, source`,
    [filter.symbols ?? null, filter.sources ?? null],
  );
  return result.rows.map(toTick);
}

export async function countTicks(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ n: string }>('SELECT count(*) AS n FROM ticks');
  return Number(result.rows[0]!.n);
}

export interface BarClose {
  /** Bar start, epoch ms. */
  time: number;
  close: number;
}

/**
 * The last price of each `barMs`-long bar of one source and symbol in [from, to): the series
 * a forecasting worker warms up on. Bars are aligned to the Unix epoch.
 */
export async function barCloses(
  pool: pg.Pool,
  query: { source: string; symbol: string; barMs: number; from: Date; to: Date },
): Promise<BarClose[]> {
  const result = await pool.query<{ bucket: Date; close: number }>(
    `SELECT DISTINCT ON (bucket)
       date_bin(make_interval(secs => $3::float8 / 1000), time, TIMESTAMPTZ 'epoch') AS bucket,
       price AS close
     FROM ticks WHERE source = $1 AND symbol = $2 AND time >= $4 AND time < $5
     ORDER BY bucket, time DESC`,
    [query.source, query.symbol, query.barMs, query.from, query.to],
  );
  return result.rows.map((row) => ({ time: row.bucket.getTime(), close: row.close }));
}
