/**
 * The rule that compares one coin's newest prices across sources: which are from the same time,
 * their median, spread and who diverges. Pure (no imports), so the dashboard's browser bundle
 * takes it by subpath (`@cryptoviz/market/source-spread`) and applies the gateway's own rule.
 */

/** A source this far (in basis points) from the median over all sources is flagged. */
export const DIVERGENCE_BPS = 50;

/**
 * Sources' newest prices are compared only when this close in time: a replayed 2018 price
 * beside today's is no spread, whatever the quote currencies.
 */
export const SAME_TIME_MS = 15 * 60_000;

/** What the comparison needs of a source's newest price. */
export interface SourcePrice {
  source: string;
  quote: string;
  price: number;
  /** ISO 8601. */
  time: string;
}

export interface Spread<P extends SourcePrice> {
  /** The prices within SAME_TIME_MS of the anchor, each with its distance from the median. */
  compared: { price: P; deviationBps: number; divergent: boolean }[];
  /** The others: their newest price is from another time. */
  apart: P[];
  median: number;
  /** Highest minus lowest price. */
  spread: number;
  spreadBps: number;
  /** Sources quote different currencies (USD vs USDT): the spread mixes in the peg. */
  mixedQuotes: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Compares `prices` (one coin, one per source; at least one) that are from the same time as the
 * anchor's: by default the newest. The median is over all compared sources, the source itself
 * included: not the median of the others, as with three sources that is the mean of two, and
 * one stray price would get a sound source flagged too.
 */
export function spreadAmong<P extends SourcePrice>(
  prices: readonly P[],
  anchor: P = prices.reduce((a, b) => (Date.parse(b.time) > Date.parse(a.time) ? b : a)),
): Spread<P> {
  const anchorMs = Date.parse(anchor.time);
  const together = (p: P) => Math.abs(Date.parse(p.time) - anchorMs) <= SAME_TIME_MS;
  const same = prices.filter(together);
  const values = same.map((p) => p.price);
  const mid = median(values);
  const spread = Math.max(...values) - Math.min(...values);
  return {
    compared: same.map((price) => {
      const deviationBps = ((price.price - mid) / mid) * 10_000;
      return {
        price,
        deviationBps,
        divergent: same.length > 1 && Math.abs(deviationBps) >= DIVERGENCE_BPS,
      };
    }),
    apart: prices.filter((p) => !together(p)),
    median: mid,
    spread,
    spreadBps: (spread / mid) * 10_000,
    mixedQuotes: new Set(same.map((p) => p.quote)).size > 1,
  };
}
