import { z } from 'zod';
import type { ProviderErrorKind } from '../provider.ts';
import type { Clock } from './clock.ts';
import type { Scrubber } from '@cryptoviz/runtime/secrets';

const circuitStateSchema = z.enum(['closed', 'open', 'half-open']);
export type CircuitState = z.infer<typeof circuitStateSchema>;

/** What a source's status needs to know about its provider; carried in the fetcher's heartbeat. */
export const providerStatsSchema = z.object({
  provider: z.string(),
  /** HTTP requests sent, retries included. */
  requests: z.number(),
  /** Requests repeated after a transient failure. */
  retries: z.number(),
  /** When a poll or backfill last completed (ISO-8601), null before the first. */
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  /** Polls and backfills in a row that ended in an error; 0 after a success. */
  consecutiveFailures: z.number(),
  /**
   * The last error's class (a ProviderErrorKind; any string on the wire, so that a newer
   * worker's new kind leaves its beat readable) and message, with every secret scrubbed out.
   */
  lastError: z.object({ kind: z.string(), message: z.string() }).nullable(),
  /** Requests held back by the local rate limit or a provider's Retry-After. */
  rateLimitWaits: z.number(),
  rateLimitWaitMs: z.number(),
  /** Ticks the provider sent that failed validation, over the provider's lifetime. */
  skippedTicks: z.number(),
  circuit: z.object({ state: circuitStateSchema, openUntil: z.string().nullable() }),
});
export type ProviderStats = z.infer<typeof providerStatsSchema>;

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
