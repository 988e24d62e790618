import { ProviderError, type ProviderContext, type TickProvider } from './provider.ts';
import { providerFactories } from './registry.ts';

export * from './provider.ts';
export * from './http/index.ts';
export { providerFactories } from './registry.ts';
export { createReplayProvider } from './replay.ts';
export { createSyntheticProvider } from './synthetic.ts';

export function createProvider(context: ProviderContext): TickProvider {
  const factory = providerFactories[context.spec.provider];
  if (!factory) {
    throw new ProviderError('config', `provider "${context.spec.provider}" is not implemented`);
  }
  return factory(context);
}
