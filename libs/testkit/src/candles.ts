import type { Tick } from '@cryptoviz/market';
import { CANDLE_INTERVALS, type Candle, type CandleQuery } from '@cryptoviz/store';

/**
 * The candles a range must have, computed from the ticks themselves: every bucket that
 * overlaps [from, to), whole, aligned to the Unix epoch in UTC. What both storage flavors
 * are held to.
 */
export function expectedCandles(ticks: readonly Tick[], query: CandleQuery): Candle[] {
  const size = CANDLE_INTERVALS[query.interval];
  const first = Math.floor(query.from.getTime() / size) * size;
  const end = Math.floor((query.to.getTime() - 1) / size) * size + size;
  const buckets = new Map<number, Tick[]>();
  for (const t of ticks) {
    const ms = Date.parse(t.time);
    if (t.source !== query.source || t.symbol !== query.symbol || ms < first || ms >= end) continue;
    const bucket = Math.floor(ms / size) * size;
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), t]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([bucket, inBucket]) => {
      const prices = [...inBucket]
        .sort((a, b) => Date.parse(a.time) - Date.parse(b.time))
        .map((t) => t.price);
      return {
        time: new Date(bucket).toISOString(),
        open: prices[0]!,
        high: Math.max(...prices),
        low: Math.min(...prices),
        close: prices.at(-1)!,
        ticks: prices.length,
      };
    });
}
