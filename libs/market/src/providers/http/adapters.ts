import { binanceAdapter, binanceProvider } from '../binance.ts';
import { coinbaseAdapter, coinbaseProvider } from '../coinbase.ts';
import { coingeckoAdapter, coingeckoProvider } from '../coingecko.ts';
import { coinmarketcapAdapter, coinmarketcapProvider } from '../coinmarketcap.ts';
import { krakenAdapter, krakenProvider } from '../kraken.ts';
import type { ProviderFactory } from '../provider.ts';
import type { HttpProviderName, ProviderAdapter } from './adapter.ts';

/** Every HTTP market-data provider, by its CryptoSource `provider` name. */
export const HTTP_PROVIDER_ADAPTERS: Readonly<Record<HttpProviderName, ProviderAdapter>> = {
  coingecko: coingeckoAdapter,
  coinmarketcap: coinmarketcapAdapter,
  binance: binanceAdapter,
  kraken: krakenAdapter,
  coinbase: coinbaseAdapter,
};

export const HTTP_PROVIDER_FACTORIES: Readonly<Record<HttpProviderName, ProviderFactory>> = {
  coingecko: coingeckoProvider,
  coinmarketcap: coinmarketcapProvider,
  binance: binanceProvider,
  kraken: krakenProvider,
  coinbase: coinbaseProvider,
};

export function isHttpProvider(name: string): name is HttpProviderName {
  return Object.hasOwn(HTTP_PROVIDER_ADAPTERS, name);
}
