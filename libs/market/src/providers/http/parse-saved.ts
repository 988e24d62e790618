import { DEFAULT_NAMESPACE, resourceKey } from '@cryptoviz/resources';
import { ProviderError, type PollResult } from '../provider.ts';
import type { ParseContext, ProviderAdapter } from './adapter.ts';
import { describeNonJson, tryParseJson } from './classify.ts';
import { finalizeTicks, reportMissing } from './ticks.ts';

export interface SavedBodyOptions {
  /** Every tick's `source` (a key); defaults to `default/<the provider's name>`. */
  source?: string;
  quote: string;
  /** Our symbols the request named; needed where the payload does not say (Coinbase). */
  symbols?: readonly string[];
  symbolMap?: Readonly<Record<string, string>>;
  candleIntervalMs?: number;
  now?: number;
}

/**
 * Reads a saved response body exactly as a live poll would: the provider's error payloads
 * become classified ProviderErrors, everything else becomes validated ticks.
 */
export function parseSavedBody(
  adapter: ProviderAdapter,
  text: string,
  options: SavedBodyOptions,
): PollResult & { shape: string } {
  const body = tryParseJson(text);
  if (body === undefined) {
    throw new ProviderError('malformed', `expected JSON, got ${describeNonJson(text)}`);
  }
  const error = adapter.dialect.classifyBody(body, undefined);
  if (error) throw error;
  const context: ParseContext = {
    symbols: options.symbols,
    quote: options.quote,
    symbolMap: options.symbolMap ?? {},
    now: options.now ?? Date.now(),
    candleIntervalMs: options.candleIntervalMs,
  };
  const parsed = adapter.parse(body, context);
  const identity = {
    source: options.source ?? resourceKey({ namespace: DEFAULT_NAMESPACE, name: adapter.provider }),
    provider: adapter.provider,
    quote: options.quote,
  };
  const finalized = finalizeTicks(parsed, identity);
  const result = options.symbols ? reportMissing(finalized, options.symbols) : finalized;
  return { ...result, shape: parsed.shape };
}
