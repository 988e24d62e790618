import { binanceAdapter } from '../binance.ts';
import { coinbaseAdapter } from '../coinbase.ts';
import { coingeckoAdapter } from '../coingecko.ts';
import { coinmarketcapAdapter } from '../coinmarketcap.ts';
import { krakenAdapter } from '../kraken.ts';
import type { HttpProviderName, ProviderAdapter } from './adapter.ts';

/**
 * Every HTTP market-data provider, by its CryptoSource `provider` name: the one place a new
 * one is registered (the registry, the CLI's `provider` command and the bench read it).
 */
export const HTTP_PROVIDER_ADAPTERS: Readonly<Record<HttpProviderName, ProviderAdapter>> = {
  coingecko: coingeckoAdapter,
  coinmarketcap: coinmarketcapAdapter,
  binance: binanceAdapter,
  kraken: krakenAdapter,
  coinbase: coinbaseAdapter,
};

export function isHttpProvider(name: string): name is HttpProviderName {
  return Object.hasOwn(HTTP_PROVIDER_ADAPTERS, name);
}
