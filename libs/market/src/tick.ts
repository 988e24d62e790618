import { providerSchema, resourceKeySchema, symbolSchema } from '@cryptoviz/resources';
import { z } from 'zod';

/** Bitcoin's genesis block: no market price can be older. */
export const EARLIEST_TICK_TIME = Date.parse('2009-01-03T00:00:00Z');
/** Clocks drift; a tick further ahead than this is a bug upstream, not the future. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const finitePositive = z.number().positive();
const finiteNonNegative = z.number().nonnegative();

export const tickTimeSchema = z.iso
  .datetime({ offset: false })
  .refine((s) => Date.parse(s) >= EARLIEST_TICK_TIME, 'is before 2009-01-03 (no market existed)')
  .refine((s) => Date.parse(s) <= Date.now() + MAX_CLOCK_SKEW_MS, 'is in the future');

/**
 * The one shape every provider normalizes to. Prices and volumes are in `quote` units;
 * `time` is when the provider says the price was observed (ISO-8601 UTC).
 */
export const tickSchema = z.strictObject({
  /** The CryptoSource's key, `namespace/name`. */
  source: resourceKeySchema,
  provider: providerSchema,
  symbol: symbolSchema,
  quote: symbolSchema,
  price: finitePositive,
  /** Traded value over the last 24 h, in the quote currency. */
  volume24h: finiteNonNegative.nullable(),
  marketCap: finiteNonNegative.nullable(),
  /** Percent change over 24 h, e.g. -2.5 for −2.5 %. */
  change24hPct: z.number().gt(-100).nullable(),
  time: tickTimeSchema,
});
export type Tick = z.infer<typeof tickSchema>;

/** The natural key of a tick: a re-published tick has the same identity. */
export function tickId(tick: Pick<Tick, 'source' | 'symbol' | 'time'>): string {
  return `${tick.source}:${tick.symbol}:${tick.time}`;
}
