import { ProviderError } from '../provider.ts';
import type { TickCandidate } from './ticks.ts';

const DAY_MS = 86_400_000;

/** One closed interval of trading, normalized across providers. */
export interface Candle {
  openMs: number;
  closeMs: number;
  close: number;
  /** Traded value in the quote currency, where the provider gives or implies it. */
  quoteVolume: number | null;
}

/**
 * Backfill wants enough candles to draw the gap but few requests: the finest interval a
 * provider supports that covers `hours` in at most `maxCandles` (Kraken serves 720 at most).
 */
export function chooseCandleInterval(
  hours: number,
  supportedMs: readonly number[],
  maxCandles = 720,
): number {
  const spanMs = hours * 3_600_000;
  const sorted = [...supportedMs].sort((a, b) => a - b);
  return sorted.find((interval) => spanMs / interval <= maxCandles) ?? sorted.at(-1)!;
}

/** The spacing of candles whose open times are known: the smallest gap between two of them. */
export function inferCandleInterval(openTimesMs: readonly number[]): number | undefined {
  const sorted = [...new Set(openTimesMs)].sort((a, b) => a - b);
  let smallest: number | undefined;
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    if (smallest === undefined || gap < smallest) smallest = gap;
  }
  return smallest;
}

/** The candle interval to use: what the caller knows, else what the rows imply. */
export function resolveCandleInterval(
  known: number | undefined,
  openTimesMs: readonly number[],
  what: string,
): number {
  // No candles, nothing to space: any interval will do.
  if (openTimesMs.length === 0) return known ?? 1;
  const interval = known ?? inferCandleInterval(openTimesMs);
  if (interval === undefined || interval <= 0) {
    throw new ProviderError(
      'config',
      `${what}: cannot tell the candle interval from a single candle; give it (--interval)`,
    );
  }
  return interval;
}

/**
 * One tick per closed candle, at its close. The 24 h volume and change are filled only where
 * the candles before it cover the whole day without gaps; otherwise they stay null rather
 * than report a partial day as a full one. Candles still open at `now` are left out.
 */
export function candlesToCandidates(
  symbol: string,
  candles: readonly Candle[],
  now: number,
): TickCandidate[] {
  const closed = [...candles]
    .filter((candle) => candle.closeMs <= now)
    .sort((a, b) => a.openMs - b.openMs);
  const closeByTime = new Map(closed.map((candle) => [candle.closeMs, candle.close]));
  const candidates: TickCandidate[] = [];
  let windowStart = 0;
  let windowVolume = 0;
  let windowKnown = 0;
  for (let i = 0; i < closed.length; i++) {
    const candle = closed[i]!;
    windowVolume += candle.quoteVolume ?? 0;
    windowKnown += candle.quoteVolume === null ? 0 : 1;
    while (windowStart < i && closed[windowStart]!.openMs < candle.closeMs - DAY_MS) {
      const leaving = closed[windowStart]!;
      windowVolume -= leaving.quoteVolume ?? 0;
      windowKnown -= leaving.quoteVolume === null ? 0 : 1;
      windowStart += 1;
    }
    const count = i - windowStart + 1;
    const first = closed[windowStart]!;
    const coversDay =
      first.openMs === candle.closeMs - DAY_MS &&
      count * (candle.closeMs - candle.openMs) === DAY_MS &&
      windowKnown === count;
    const dayAgo = closeByTime.get(candle.closeMs - DAY_MS);
    candidates.push({
      symbol,
      price: candle.close,
      volume24h: coversDay ? windowVolume : null,
      marketCap: null,
      change24hPct: dayAgo === undefined || dayAgo <= 0 ? null : (candle.close / dayAgo - 1) * 100,
      timeMs: candle.closeMs,
    });
  }
  return candidates;
}

/** Splits [fromMs, toMs) into windows of at most `maxCandles` candles, for paging providers. */
export function candleWindows(
  fromMs: number,
  toMs: number,
  intervalMs: number,
  maxCandles: number,
): { startMs: number; endMs: number }[] {
  const windows: { startMs: number; endMs: number }[] = [];
  const span = intervalMs * maxCandles;
  for (let start = fromMs; start < toMs; start += span) {
    windows.push({ startMs: start, endMs: Math.min(toMs, start + span) });
  }
  return windows;
}
