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
  /**
   * The message without anything the provider wrote (a body excerpt, its own error text):
   * what public outputs show. The message itself is for logs and authenticated callers.
   */
  readonly summary: string;
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    /** The provider's own hint (Retry-After, reset time), when it gave one. */
    readonly retryAfterMs?: number,
    summary?: string,
  ) {
    super(message);
    this.summary = summary ?? message;
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
  /**
   * Optional fields of the provider's records that were ignored for an unexpected type or
   * value, by field name, with how often: the ticks were kept without them.
   */
  ignoredFields?: Readonly<Record<string, number>>;
}

/** What a fetcher needs from any provider: ticks due now, and history on request. */
export interface TickProvider {
  poll(signal: AbortSignal): Promise<PollResult>;
  /** Ticks for the last `hours` (from candles), where the provider has history. */
  backfill?(hours: number, signal: AbortSignal): Promise<PollResult>;
}

export interface ProviderContext {
  /** The CryptoSource's key, `namespace/name`: every tick's `source`. */
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
  /** Where replay files are, their paths relative to it (CRYPTOVIZ_DATA_DIR); default: cwd. */
  dataDir?: string;
}

export type ProviderFactory = (context: ProviderContext) => TickProvider;

export interface ProviderErrorStatus {
  /** The status condition's reason. */
  reason: string;
  /** What a user can do about it. */
  hint: string;
  /**
   * Whether no data comes until someone acts (a missing replay file, a refused key): waiting
   * does not heal it, so the resource is not Ready. The others pass by themselves or spare
   * most of the data.
   */
  stopsData: boolean;
}

/** Each kind of provider error as a resource's status tells it (controller and gateway alike). */
export const PROVIDER_ERROR_STATUS: Record<ProviderErrorKind, ProviderErrorStatus> = {
  'rate-limited': {
    reason: 'RateLimited',
    hint: 'lower the poll rate or raise rateLimit',
    stopsData: false,
  },
  transient: {
    reason: 'ProviderUnreachable',
    hint: 'the provider is down or unreachable',
    stopsData: false,
  },
  auth: {
    reason: 'AuthFailed',
    hint: 'check the key in the Secret named by apiKeySecretRef',
    stopsData: true,
  },
  'unknown-symbol': {
    reason: 'UnknownSymbol',
    hint: 'fix symbols or add a symbolMap entry',
    stopsData: false,
  },
  malformed: {
    reason: 'ProviderResponseInvalid',
    hint: 'the provider answered unexpectedly',
    stopsData: false,
  },
  config: { reason: 'InvalidConfig', hint: "fix the source's spec", stopsData: true },
};

/** The status of an error kind as a worker reported it; unknown kinds are a failing worker. */
export function providerErrorStatus(kind: string): ProviderErrorStatus {
  return Object.hasOwn(PROVIDER_ERROR_STATUS, kind)
    ? PROVIDER_ERROR_STATUS[kind as ProviderErrorKind]
    : { reason: 'WorkerFailing', hint: kind, stopsData: false };
}

/**
 * A worker's error as a status tells it: `<worker>: <what to do> (<summary>)`. The summary is
 * the error's public one (ProviderError.summary): a spec field and a path as the manifest wrote
 * it, never a provider's words nor a directory of the server's.
 */
export function workerErrorProblem(
  worker: string,
  kind: string,
  summary: unknown,
): { reason: string; message: string; stopsData: boolean } {
  const known = providerErrorStatus(kind);
  const detail = typeof summary === 'string' && summary ? ` (${summary.slice(0, 200)})` : '';
  return {
    reason: known.reason,
    message: `${worker}: ${known.hint}${detail}`,
    stopsData: known.stopsData,
  };
}
