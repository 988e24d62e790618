import type { MarketRow } from './market-table.ts';

/**
 * A source this far from the median over all sources, itself included, is highlighted (the
 * gateway's markets.compare uses the same rule). Not the median of the others: with three
 * sources that is the mean of two, so one stray price would get a sound source flagged too.
 */
export const DIVERGENCE_BPS = 50;

export interface SourceSpread {
  symbol: string;
  median: number;
  spreadBps: number;
  mixedQuotes: boolean;
  quotes: {
    source: string;
    quote: string;
    price: number;
    deviationBps: number;
    divergent: boolean;
  }[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The same coin across every source in the table, from the live rows. */
export function spreadOf(symbol: string, rows: readonly MarketRow[]): SourceSpread | null {
  const same = rows.filter((r) => r.symbol === symbol);
  if (same.length === 0) return null;
  const prices = same.map((r) => r.price);
  const mid = median(prices);
  return {
    symbol,
    median: mid,
    spreadBps: ((Math.max(...prices) - Math.min(...prices)) / mid) * 10_000,
    mixedQuotes: new Set(same.map((r) => r.quote)).size > 1,
    quotes: same.map((r) => {
      const deviationBps = ((r.price - mid) / mid) * 10_000;
      return {
        source: r.source,
        quote: r.quote,
        price: r.price,
        deviationBps,
        divergent: same.length > 1 && Math.abs(deviationBps) >= DIVERGENCE_BPS,
      };
    }),
  };
}
