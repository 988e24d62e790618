import type { ProviderErrorKind } from '../provider.ts';
import type { Clock } from './clock.ts';
import type { Scrubber } from '@cryptoviz/runtime/secrets';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** What a source's status needs to know about its provider; merged into the heartbeat. */
export interface ProviderStats {
  provider: string;
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests repeated after a transient failure. */
  retries: number;
  /** When a poll or backfill last completed (ISO-8601), null before the first. */
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** Polls and backfills in a row that ended in an error; 0 after a success. */
  consecutiveFailures: number;
  /** The last error's class and message, with every secret scrubbed out. */
  lastError: { kind: ProviderErrorKind; message: string } | null;
  /** Requests held back by the local rate limit or a provider's Retry-After. */
  rateLimitWaits: number;
  rateLimitWaitMs: number;
  /** Ticks the provider sent that failed validation, over the provider's lifetime. */
  skippedTicks: number;
  circuit: { state: CircuitState; openUntil: string | null };
}

/** Collects the counters behind ProviderStats; shared by the HTTP client and the provider. */
export class StatsRecorder {
  private readonly counters = {
    requests: 0,
    retries: 0,
    rateLimitWaits: 0,
    rateLimitWaitMs: 0,
    skippedTicks: 0,
    consecutiveFailures: 0,
  };
  private lastSuccessAt: number | null = null;
  private lastFailureAt: number | null = null;
  private lastError: ProviderStats['lastError'] = null;

  constructor(
    private readonly provider: string,
    private readonly clock: Clock,
    private readonly scrub: Scrubber,
  ) {}

  requestSent(): void {
    this.counters.requests += 1;
  }

  retried(): void {
    this.counters.retries += 1;
  }

  rateLimitWaited(ms: number): void {
    this.counters.rateLimitWaits += 1;
    this.counters.rateLimitWaitMs += ms;
  }

  ticksSkipped(count: number): void {
    this.counters.skippedTicks += count;
  }

  succeeded(): void {
    this.lastSuccessAt = this.clock.now();
    this.counters.consecutiveFailures = 0;
  }

  failed(kind: ProviderErrorKind, message: string): void {
    this.lastFailureAt = this.clock.now();
    this.counters.consecutiveFailures += 1;
    this.lastError = { kind, message: this.scrub(message) };
  }

  snapshot(circuit: ProviderStats['circuit']): ProviderStats {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      provider: this.provider,
      ...this.counters,
      lastSuccessAt: iso(this.lastSuccessAt),
      lastFailureAt: iso(this.lastFailureAt),
      lastError: this.lastError,
      circuit,
    };
  }
}
