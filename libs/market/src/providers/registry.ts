import type { Provider } from '@cryptoviz/resources';
import type { HttpProviderName } from './http/adapter.ts';
import { HTTP_PROVIDER_ADAPTERS, isHttpProvider } from './http/adapters.ts';
import { createHttpProvider } from './http/http-provider.ts';
import type { ProviderFactory } from './provider.ts';
import { createReplayProvider } from './replay.ts';
import { createSyntheticProvider } from './synthetic.ts';

/** The providers that are no HTTP adapter: they make their ticks themselves. */
const LOCAL_PROVIDERS: Readonly<Record<Exclude<Provider, HttpProviderName>, ProviderFactory>> = {
  synthetic: createSyntheticProvider,
  replay: createReplayProvider,
};

/** The factory of every provider a CryptoSource can name (the types make it total). */
export function providerFactory(name: Provider): ProviderFactory {
  if (isHttpProvider(name)) {
    const adapter = HTTP_PROVIDER_ADAPTERS[name];
    return (context) => createHttpProvider(adapter, context);
  }
  return LOCAL_PROVIDERS[name];
}
