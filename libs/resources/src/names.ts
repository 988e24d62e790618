import { z } from 'zod';

export const PROVIDERS = [
  'coingecko',
  'coinmarketcap',
  'binance',
  'kraken',
  'coinbase',
  'synthetic',
  'replay',
] as const;
export const providerSchema = z.enum(PROVIDERS);
export type Provider = z.infer<typeof providerSchema>;

/** Our symbols: uppercase tickers such as BTC, ETH, 1INCH. */
export const SYMBOL_PATTERN = '^[A-Z0-9]{1,15}$';
export const symbolSchema = z
  .string()
  .max(15)
  .regex(new RegExp(SYMBOL_PATTERN), 'must be 1–15 uppercase letters or digits, e.g. BTC');

/** Resource names are DNS-1123 labels, which also makes them valid NATS subject tokens. */
export const NAME_PATTERN = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';
export const resourceNameSchema = z
  .string()
  .max(63)
  .regex(new RegExp(NAME_PATTERN), 'must be a DNS-1123 label (lowercase letters, digits, -)');
