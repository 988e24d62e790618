import type { CryptoSourceSpec } from '@cryptoviz/resources';
import type { Tick } from '../tick.ts';

/** Why a poll failed, in the terms a user can act on (and a status condition can name). */
export const PROVIDER_ERROR_KINDS = [
  'auth',
  'rate-limited',
  'unknown-symbol',
  'transient',
  'malformed',
  'config',
] as const;
export type ProviderErrorKind = (typeof PROVIDER_ERROR_KINDS)[number];

export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    /** The provider's own hint (Retry-After, reset time), when it gave one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A tick the provider sent that we refused to publish, with the reason counted. */
export interface SkippedTick {
  symbol?: string;
  reason: string;
}

export interface PollResult {
  ticks: Tick[];
  skipped: SkippedTick[];
  /** When the provider knows better than the source's interval (replay pacing). */
  nextPollInMs?: number;
  /** True when a finite provider (replay without loop) has nothing more to give. */
  exhausted?: boolean;
}

/** What a fetcher needs from any provider: ticks due now, and history on request. */
export interface TickProvider {
  poll(signal: AbortSignal): Promise<PollResult>;
  /** Ticks for the last `hours` (from candles), where the provider has history. */
  backfill?(hours: number, signal: AbortSignal): Promise<PollResult>;
}

export interface ProviderContext {
  /** The CryptoSource name: every tick's `source`. */
  source: string;
  spec: CryptoSourceSpec;
  /** Resolved from `spec.apiKeySecretRef`; never logged, never put in an error message. */
  apiKey?: string;
  /** Injected for tests and replay pacing. */
  now?: () => number;
  /**
   * The newest tick already published of each symbol that has one: a replay resumes after it,
   * a simulation walks on from its price.
   */
  lastTicks?: ReadonlyMap<string, Tick>;
  /** This worker's share of the source's rate limits: 1/n for one of n shards. */
  rateShare?: number;
}

export type ProviderFactory = (context: ProviderContext) => TickProvider;
