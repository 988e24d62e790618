import type pg from 'pg';
import type { Signal } from '@cryptoviz/forecast';
import { CANDLE_INTERVALS, candles, type Candle, type CandleInterval } from './candles.ts';
import type { StorageFlavor } from './flavor.ts';

/**
 * The candle a strategy trades a horizon on: the largest stored size not longer than the
 * horizon (15m → 1m, 1h and 6h → 1h, 1d → 1d). A position is then revised at least once per
 * horizon, as the forecast behind it means, and as often as the data allows below that; a
 * bar longer than the horizon would hold a position past the move its signal was about.
 * When the window would need more than `maxBars` of them (a week of 1m candles), the next
 * size up that fits: coarser bars over the whole window asked for, rather than a refusal or a
 * window cut short; the answer names the size used.
 */
export function candleIntervalFor(
  horizonMs: number,
  window: { windowMs: number; maxBars: number } = { windowMs: 0, maxBars: Infinity },
): CandleInterval {
  const sizes = Object.entries(CANDLE_INTERVALS) as [CandleInterval, number][];
  let chosen = sizes.findLast(([, size]) => size <= horizonMs)?.[0] ?? '1m';
  for (const [interval, size] of sizes) {
    const fits = strategyBarCount(window.windowMs, size) <= window.maxBars;
    if (size >= CANDLE_INTERVALS[chosen] && (fits || interval === '1d')) {
      chosen = interval;
      break;
    }
  }
  return chosen;
}

/** At most how many candles of `size` ms a window holds: its own, a cut first one, the fill bar. */
export function strategyBarCount(windowMs: number, size: number): number {
  return Math.ceil(windowMs / size) + 2;
}

export interface StrategyInputsQuery {
  model: string;
  symbol: string;
  horizonS: number;
  /** The forecasts' source; when absent, that of the series' newest forecast. */
  source?: string;
  /** How far back from the series' newest forecast, in its own time. */
  windowMs: number;
  /** At most this many forecasts (the newest), and candles (see candleIntervalFor). */
  maxRows: number;
}

export interface StrategySignal {
  /** When the forecast was made (its bar's close), epoch ms. */
  madeAtMs: number;
  signal: Signal;
}

export interface StrategyInputs {
  source: string;
  interval: CandleInterval;
  /** The window [from, to) the candles cover. */
  from: Date;
  to: Date;
  /** Oldest first. */
  signals: StrategySignal[];
  candles: Candle[];
}

/**
 * A model's stored signals for one series over the last `windowMs` of its own time (up to its
 * newest forecast, so a replay's window is days of its market), and the candles of the same
 * source and symbol over that window plus one bar, where the last signal can still be filled.
 * Null when the model has no forecast for the series.
 */
export async function strategyInputs(
  pool: pg.Pool,
  flavor: StorageFlavor,
  query: StrategyInputsQuery,
): Promise<StrategyInputs | null> {
  const newest = await pool.query<{ source: string; made_at: Date }>(
    `SELECT source, made_at FROM predictions
     WHERE model = $1 AND symbol = $2 AND horizon_s = $3 AND ($4::text IS NULL OR source = $4)
     ORDER BY made_at DESC LIMIT 1`,
    [query.model, query.symbol, query.horizonS, query.source ?? null],
  );
  const last = newest.rows[0];
  if (!last) return null;
  const interval = candleIntervalFor(query.horizonS * 1000, {
    windowMs: query.windowMs,
    maxBars: query.maxRows,
  });
  const to = new Date(last.made_at.getTime() + CANDLE_INTERVALS[interval]);
  const from = new Date(last.made_at.getTime() - query.windowMs);
  const signals = await pool.query<{ made_at: Date; signal: Signal }>(
    `SELECT made_at, signal FROM (
       SELECT made_at, signal FROM predictions
       WHERE model = $1 AND source = $2 AND symbol = $3 AND horizon_s = $4
         AND made_at >= $5 AND made_at < $6
       ORDER BY made_at DESC LIMIT $7
     ) newest ORDER BY made_at`,
    [query.model, last.source, query.symbol, query.horizonS, from, to, query.maxRows],
  );
  return {
    source: last.source,
    interval,
    from,
    to,
    signals: signals.rows.map((row) => ({ madeAtMs: row.made_at.getTime(), signal: row.signal })),
    candles: await candles(pool, flavor, {
      source: last.source,
      symbol: query.symbol,
      interval,
      from,
      to,
    }),
  };
}
