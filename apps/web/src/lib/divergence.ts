import type { MarketRow } from './market-table.ts';

/**
 * A source this far from the median over all sources, itself included, is highlighted (the
 * gateway's markets.compare uses the same rule). Not the median of the others: with three
 * sources that is the mean of two, so one stray price would get a sound source flagged too.
 */
export const DIVERGENCE_BPS = 50;

/**
 * Sources' newest prices are compared only when this close in time (the gateway's
 * markets.compare uses the same rule): a price of a replayed 2018 beside today's is no spread,
 * whatever the quote currencies.
 */
export const SAME_TIME_MS = 15 * 60_000;

export interface SourceSpread {
  symbol: string;
  median: number;
  spreadBps: number;
  mixedQuotes: boolean;
  /** Sources left out of the comparison: their newest price is from another time. */
  apart: { source: string; quote: string; time: string }[];
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

/**
 * The same coin across the sources in the table whose newest prices are from the same time as
 * `anchorSource`'s (by default the newest one's), from the live rows; the others are named in
 * `apart`, not compared.
 */
export function spreadOf(
  symbol: string,
  rows: readonly MarketRow[],
  anchorSource?: string | null,
): SourceSpread | null {
  const ofSymbol = rows.filter((r) => r.symbol === symbol);
  if (ofSymbol.length === 0) return null;
  const timeOf = (r: MarketRow) => Date.parse(r.time);
  const anchor =
    ofSymbol.find((r) => r.source === anchorSource) ??
    ofSymbol.reduce((a, b) => (timeOf(b) > timeOf(a) ? b : a));
  const together = (r: MarketRow) => Math.abs(timeOf(r) - timeOf(anchor)) <= SAME_TIME_MS;
  const same = ofSymbol.filter(together);
  const prices = same.map((r) => r.price);
  const mid = median(prices);
  return {
    symbol,
    median: mid,
    spreadBps: ((Math.max(...prices) - Math.min(...prices)) / mid) * 10_000,
    mixedQuotes: new Set(same.map((r) => r.quote)).size > 1,
    apart: ofSymbol
      .filter((r) => !together(r))
      .map((r) => ({ source: r.source, quote: r.quote, time: r.time })),
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
