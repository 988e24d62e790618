import type { ApiOutputs } from './api.ts';

type Candle = ApiOutputs['markets']['candles'][number];

export const INTERVALS = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type Interval = keyof typeof INTERVALS;

export const RANGES = {
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
} as const;
export type Range = keyof typeof RANGES;

/** Candles a range spans at an interval; the gateway refuses more than its row limit. */
export function candleCount(range: Range, interval: Interval): number {
  return Math.ceil(RANGES[range] / INTERVALS[interval]);
}

/** The finest interval that keeps a range within `maxCandles` (what a range control picks). */
export function intervalFor(range: Range, maxCandles = 2_000): Interval {
  const fits = (Object.keys(INTERVALS) as Interval[]).filter(
    (i) => candleCount(range, i) <= maxCandles && candleCount(range, i) >= 2,
  );
  return fits[0] ?? '1d';
}

/**
 * The [from, to) a range reads, in the series' own time: ending just past its newest tick
 * (`newestMs`), not the wall clock, so "30d" of a replay of 2018 is thirty days of 2018. A live
 * source's newest tick is now, which makes it the usual "last 30 days".
 */
export function candleWindow(
  range: Range,
  interval: Interval,
  newestMs: number,
): { from: string; to: string } {
  const to = (Math.floor(newestMs / INTERVALS[interval]) + 1) * INTERVALS[interval];
  return {
    from: new Date(to - RANGES[range]).toISOString(),
    to: new Date(to).toISOString(),
  };
}

export interface Bar {
  /** Seconds since the epoch (UTC): lightweight-charts' time. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export function toBar(candle: Candle): Bar {
  return {
    time: Date.parse(candle.time) / 1000,
    open: candle.open,
    high: candle.high,
    low: candle.low,
    close: candle.close,
  };
}

/** A live price folded into the bar it falls in (a new bar when it starts the next one). */
export function foldPrice(
  last: Bar | undefined,
  price: number,
  timeMs: number,
  interval: Interval,
): Bar {
  const start = Math.floor(timeMs / INTERVALS[interval]) * (INTERVALS[interval] / 1000);
  if (!last || start > last.time)
    return { time: start, open: price, high: price, low: price, close: price };
  return {
    time: last.time,
    open: last.open,
    high: Math.max(last.high, price),
    low: Math.min(last.low, price),
    close: price,
  };
}
