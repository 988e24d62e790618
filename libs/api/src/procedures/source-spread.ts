import type { Tick } from '@cryptoviz/market';
import { spreadAmong } from '@cryptoviz/market/source-spread';

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

/**
 * The same coin across the sources whose newest prices are from the same time as the newest
 * one's (`spreadAmong`, the rule the dashboard's spread view applies too): who deviates from
 * the crowd, and by how much. The others are named in `apart`.
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
  const { compared, apart, median, spread, spreadBps, mixedQuotes } = spreadAmong(all);
  return {
    symbol,
    quotes: compared.map(({ price: t, deviationBps, divergent }) => ({
      source: t.source,
      provider: t.provider,
      quote: t.quote,
      price: t.price,
      time: t.time,
      deviationBps,
      divergent,
    })),
    median,
    spread,
    spreadBps,
    mixedQuotes,
    apart: apart.map((t) => ({ source: t.source, quote: t.quote, time: t.time })),
  };
}
