import type { Tick } from '@cryptoviz/market';

/** A source this far (in basis points) from the median over all sources is flagged. */
export const DIVERGENCE_BPS = 50;

/**
 * Sources' newest prices are compared only when this close in time (the dashboard's spread
 * view uses the same rule): a replayed 2018 price beside today's is no spread.
 */
export const SAME_TIME_MS = 15 * 60_000;

export interface SourceQuote {
  source: string;
  provider: string;
  quote: string;
  price: number;
  time: string;
  /** Distance from the median price over all sources, in basis points (signed). */
  deviationBps: number;
  divergent: boolean;
}

export interface SourceComparison {
  symbol: string;
  quotes: SourceQuote[];
  median: number | null;
  /** Highest minus lowest price, absolute and relative to the median. */
  spread: number | null;
  spreadBps: number | null;
  /** Sources quote different currencies (USD vs USDT): the spread mixes in the peg. */
  mixedQuotes: boolean;
  /** Sources left out: their newest price is more than SAME_TIME_MS from the newest one's. */
  apart: { source: string; quote: string; time: string }[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The same coin across the sources whose newest prices are from the same time as the newest
 * one's: who deviates from the crowd, and by how much. The others are named in `apart`.
 */
export function compareSources(symbol: string, all: readonly Tick[]): SourceComparison {
  if (all.length === 0) {
    return {
      symbol,
      quotes: [],
      median: null,
      spread: null,
      spreadBps: null,
      mixedQuotes: false,
      apart: [],
    };
  }
  const newestMs = Math.max(...all.map((t) => Date.parse(t.time)));
  const together = (t: Tick) => newestMs - Date.parse(t.time) <= SAME_TIME_MS;
  const ticks = all.filter(together);
  const prices = ticks.map((t) => t.price);
  const mid = median(prices);
  const spread = Math.max(...prices) - Math.min(...prices);
  const quotes = ticks.map((t) => {
    const deviationBps = ((t.price - mid) / mid) * 10_000;
    return {
      source: t.source,
      provider: t.provider,
      quote: t.quote,
      price: t.price,
      time: t.time,
      deviationBps,
      divergent: ticks.length > 1 && Math.abs(deviationBps) >= DIVERGENCE_BPS,
    };
  });
  return {
    symbol,
    quotes,
    median: mid,
    spread,
    spreadBps: (spread / mid) * 10_000,
    mixedQuotes: new Set(ticks.map((t) => t.quote)).size > 1,
    apart: all
      .filter((t) => !together(t))
      .map((t) => ({ source: t.source, quote: t.quote, time: t.time })),
  };
}
