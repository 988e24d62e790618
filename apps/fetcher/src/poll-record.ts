import { ExponentialBackoff, noJitterGenerator, type IBackoff } from 'cockatiel';
import { ProviderError, type ProviderErrorKind } from '@cryptoviz/market';
import type { Logger, Scrubber } from '@cryptoviz/runtime';
import type { FetcherStatus } from './fetcher-status.ts';
import type { FetcherMetrics } from './metrics.ts';

/** However short the interval, a failing provider is asked again within this long. */
const MAX_BACKOFF_MS = 10 * 60_000;
/** Repeated failures stretch the wait to at most 2^5 intervals. */
const MAX_DOUBLINGS = 5;

export interface PollRecordParts {
  log: Logger;
  source: string;
  scrub: Scrubber;
  metrics: FetcherMetrics;
  status: FetcherStatus;
  intervalMs: number;
}

/**
 * Keeps the status's account of successes and errors, and says how long to wait after a
 * failed poll: the interval, doubled per failure in a row, so a dead provider is not hammered.
 */
export class PollRecord {
  private readonly delays: ExponentialBackoff<number>;
  private backoff?: IBackoff<unknown>;

  constructor(private readonly parts: PollRecordParts) {
    this.delays = new ExponentialBackoff({
      generator: noJitterGenerator,
      initialDelay: parts.intervalMs,
      maxDelay: Math.min(parts.intervalMs * 2 ** MAX_DOUBLINGS, MAX_BACKOFF_MS),
    });
  }

  /** Records an error as the last one seen; only a failed poll counts as a failure. */
  recordError(err: unknown, what: string): void {
    const { status, scrub, metrics, log, source } = this.parts;
    const kind: ProviderErrorKind = err instanceof ProviderError ? err.kind : 'transient';
    const message = scrub(err instanceof Error ? err.message : String(err));
    status.lastErrorKind = kind;
    status.lastErrorMessage = message;
    // Errors that are not the provider's (NATS, config) carry no provider words.
    status.lastErrorSummary = err instanceof ProviderError ? scrub(err.summary) : message;
    metrics.errors.inc({ source, kind });
    log.warn({ source, kind, err: message, failures: status.consecutiveFailures }, what);
  }

  /** Records a failed poll; returns how long to wait before the next (a Retry-After wins). */
  recordFailure(err: unknown): number {
    this.parts.status.consecutiveFailures++;
    this.recordError(err, 'poll failed');
    const hint = err instanceof ProviderError ? (err.retryAfterMs ?? 0) : 0;
    this.backoff = (this.backoff ?? this.delays).next(undefined);
    return Math.max(hint, this.backoff.duration);
  }

  recordSuccess(): void {
    const { status, metrics, source } = this.parts;
    status.lastSuccessAt = new Date().toISOString();
    status.consecutiveFailures = 0;
    this.backoff = undefined;
    metrics.lastSuccess.set({ source }, Date.now() / 1000);
  }
}
