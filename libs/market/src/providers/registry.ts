import type { Provider } from '@cryptoviz/resources';
import { binanceProvider } from './binance.ts';
import { coinbaseProvider } from './coinbase.ts';
import { coingeckoProvider } from './coingecko.ts';
import { coinmarketcapProvider } from './coinmarketcap.ts';
import { krakenProvider } from './kraken.ts';
import type { ProviderFactory } from './provider.ts';
import { createReplayProvider } from './replay.ts';
import { createSyntheticProvider } from './synthetic.ts';

/** Every provider a CryptoSource can name, by name. */
export const providerFactories: Partial<Record<Provider, ProviderFactory>> = {
  synthetic: createSyntheticProvider,
  replay: createReplayProvider,
  coingecko: coingeckoProvider,
  coinmarketcap: coinmarketcapProvider,
  binance: binanceProvider,
  kraken: krakenProvider,
  coinbase: coinbaseProvider,
};
