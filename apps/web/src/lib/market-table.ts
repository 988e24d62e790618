import type { ApiOutputs } from './api.ts';
import { bucketOf, foldIntoTrace, type TraceGrid } from './sparkline.ts';

type Tick = ApiOutputs['markets']['latest'][number];
type Sparkline = ApiOutputs['markets']['sparklines'][number];

export interface MarketRow {
  key: string;
  source: string;
  symbol: string;
  quote: string;
  price: number;
  change24hPct: number | null;
  time: string;
  /** The last 24 hours' prices, one per time bucket of the gateway's sparkline. */
  trace: number[];
  /** The bucket (of the table's TraceGrid) the trace's newest point belongs to. */
  traceBucket: number;
  /** Which way the last live update moved the price, for a brief highlight. */
  moved: 'up' | 'down' | null;
}

export const rowKey = (source: string, symbol: string) => `${symbol}\u0000${source}`;

/** The table from a snapshot of latest ticks and their 24h traces, binned on `grid`. */
export function buildRows(
  ticks: readonly Tick[],
  lines: readonly Sparkline[],
  grid: TraceGrid,
): Map<string, MarketRow> {
  const traces = new Map(lines.map((l) => [rowKey(l.source, l.symbol), l.closes]));
  const rows = new Map<string, MarketRow>();
  for (const t of ticks) {
    const key = rowKey(t.source, t.symbol);
    rows.set(key, {
      key,
      source: t.source,
      symbol: t.symbol,
      quote: t.quote,
      price: t.price,
      change24hPct: t.change24hPct,
      time: t.time,
      trace: traces.get(key) ?? [t.price],
      // The latest tick is the newest price the trace binned, so its bucket is the trace's last.
      traceBucket: bucketOf(grid, Date.parse(t.time)),
      moved: null,
    });
  }
  return rows;
}

/**
 * A live tick applied to the table: newer ticks replace the row (an older one, replayed on a
 * resume, is ignored) and are binned into its trace on the snapshot's `grid`, so the trace
 * stays a 24-hour one however often ticks arrive.
 */
export function applyTick(
  rows: Map<string, MarketRow>,
  tick: Tick,
  grid: TraceGrid,
): Map<string, MarketRow> {
  const key = rowKey(tick.source, tick.symbol);
  const row = rows.get(key);
  if (row && row.time >= tick.time) return rows;
  const bucket = bucketOf(grid, Date.parse(tick.time));
  const next = new Map(rows);
  next.set(key, {
    key,
    source: tick.source,
    symbol: tick.symbol,
    quote: tick.quote,
    price: tick.price,
    change24hPct: tick.change24hPct,
    time: tick.time,
    trace: row
      ? foldIntoTrace(row.trace, row.traceBucket, tick.price, bucket, grid.points)
      : [tick.price],
    traceBucket: bucket,
    moved: !row || row.price === tick.price ? null : tick.price > row.price ? 'up' : 'down',
  });
  return next;
}

/** Rows grouped by symbol (then source), for a table that shows each coin's sources together. */
export function sortedRows(rows: Map<string, MarketRow>): MarketRow[] {
  return [...rows.values()].sort((a, b) => a.key.localeCompare(b.key));
}
