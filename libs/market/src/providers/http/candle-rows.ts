import type { z } from 'zod';
import type { SkippedTick } from '../provider.ts';
import { resolveCandleInterval, type Candle } from './candles.ts';
import { parseEntry } from './schemas.ts';

/** A candle row that starts with its open time in epoch seconds. */
type SecondsRow = readonly [number, ...unknown[]];

/**
 * Candles from rows that state their open time in seconds but not their length (Kraken OHLC,
 * Coinbase candles). A bad row is skipped on its own so one glitch does not lose the page;
 * `closeAndVolume` reads the fields each provider lays out in its own order.
 */
export function readSecondsCandles<S extends z.ZodType<SecondsRow>>(
  rows: readonly unknown[],
  rowSchema: S,
  closeAndVolume: (row: z.output<S>) => Pick<Candle, 'close' | 'quoteVolume'>,
  source: { symbol: string; knownIntervalMs: number | undefined; what: string },
): { candles: Candle[]; skipped: SkippedTick[]; ignoredFields: string[] } {
  const { symbol } = source;
  const skipped: SkippedTick[] = [];
  const ignoredFields: string[] = [];
  const valid = rows.flatMap((row) => {
    const read = parseEntry(rowSchema, row);
    if (!read.ok) skipped.push({ symbol, reason: read.reason });
    else ignoredFields.push(...(read.ignored ?? []));
    return read.ok ? [read.value] : [];
  });
  const intervalMs = resolveCandleInterval(
    source.knownIntervalMs,
    valid.map((row) => row[0] * 1000),
    source.what,
  );
  const candles = valid.map((row) => ({
    openMs: row[0] * 1000,
    closeMs: row[0] * 1000 + intervalMs,
    ...closeAndVolume(row),
  }));
  return { candles, skipped, ignoredFields };
}
