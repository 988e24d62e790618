import { spreadAmong } from '@cryptoviz/market/source-spread';
import type { MarketRow } from './market-table.ts';

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

/**
 * The same coin across the sources in the table whose newest prices are from the same time as
 * `anchorSource`'s (by default the newest one's), from the live rows, by the gateway's own rule
 * (`spreadAmong`); the others are named in `apart`, not compared.
 */
export function spreadOf(
  symbol: string,
  rows: readonly MarketRow[],
  anchorSource?: string | null,
): SourceSpread | null {
  const ofSymbol = rows.filter((r) => r.symbol === symbol);
  if (ofSymbol.length === 0) return null;
  const { compared, apart, median, spreadBps, mixedQuotes } = spreadAmong(
    ofSymbol,
    ofSymbol.find((r) => r.source === anchorSource),
  );
  return {
    symbol,
    median,
    spreadBps,
    mixedQuotes,
    apart: apart.map((r) => ({ source: r.source, quote: r.quote, time: r.time })),
    quotes: compared.map(({ price: r, deviationBps, divergent }) => ({
      source: r.source,
      quote: r.quote,
      price: r.price,
      deviationBps,
      divergent,
    })),
  };
}
