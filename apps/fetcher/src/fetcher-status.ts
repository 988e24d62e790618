import type { ProviderErrorKind, ProviderStats } from '@cryptoviz/market';

/** What a CryptoSource status needs to know about this worker. Never holds the key. */
export interface FetcherStatus {
  symbols: string[];
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  lastErrorKind: ProviderErrorKind | null;
  /** For logs and authenticated callers: may quote the provider (scrubbed). */
  lastErrorMessage: string | null;
  /** For everyone: the error without the provider's words (see ProviderError.summary). */
  lastErrorSummary: string | null;
  ticksPublished: number;
  duplicates: number;
  skipped: number;
  polls: number;
  exhausted: boolean;
  /** Newest tick time published (or found in the stream at start). */
  newestTickTime: string | null;
  backfills: number;
  /** Ticks polled but not yet confirmed by JetStream (NATS away): sent with the next poll. */
  heldTicks: number;
  /** Ticks dropped because more than MAX_HELD_TICKS were held. */
  droppedTicks: number;
  /** Optional provider fields ignored for an unexpected type or value (ticks kept), by field. */
  ignoredFields: Record<string, number>;
  /** The HTTP client's own view: requests, retries, rate-limit waits, circuit breaker. */
  provider?: ProviderStats;
}

/** A worker's status before its first poll. */
export function initialFetcherStatus(
  symbols: string[],
  ignoredFields: Record<string, number>,
): FetcherStatus {
  return {
    symbols,
    lastSuccessAt: null,
    consecutiveFailures: 0,
    lastErrorKind: null,
    lastErrorMessage: null,
    lastErrorSummary: null,
    ticksPublished: 0,
    duplicates: 0,
    skipped: 0,
    polls: 0,
    exhausted: false,
    newestTickTime: null,
    backfills: 0,
    heldTicks: 0,
    droppedTicks: 0,
    ignoredFields,
  };
}

/** The latest of some ISO times (they sort as strings), null if none. */
export function newestOf(...times: (string | null)[]): string | null {
  let newest: string | null = null;
  for (const time of times) if (time && (!newest || time > newest)) newest = time;
  return newest;
}
