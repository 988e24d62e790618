import type { ProviderContext, TickProvider } from './provider.ts';
import { providerFactory } from './registry.ts';

export * from './provider.ts';
export * from './http/index.ts';
export { createReplayProvider } from './replay.ts';
export { createSyntheticProvider } from './synthetic.ts';

export function createProvider(context: ProviderContext): TickProvider {
  return providerFactory(context.spec.provider)(context);
}
