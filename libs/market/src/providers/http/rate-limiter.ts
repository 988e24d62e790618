import { ProviderError } from '../provider.ts';
import type { Clock } from './clock.ts';
import type { StatsRecorder } from './stats.ts';
import { TokenBucket } from './token-bucket.ts';

/**
 * A provider's documented limits. Most count requests; Binance counts weight, where one
 * request costs more the more symbols it names.
 */
export interface RateLimits {
  requestsPerMinute?: number;
  weightPerMinute?: number;
  /** Bucket capacity: how much may go at once after a quiet spell. */
  burst: number;
}

export interface ProviderRateLimiterOptions {
  limits: RateLimits;
  /** `spec.rateLimit.requestsPerMinute`: replaces the documented request rate (plans differ). */
  requestsPerMinuteOverride?: number;
  /** Waits longer than this fail fast as rate-limited instead of stalling the poll. */
  maxWaitMs: number;
  /**
   * This worker's share of the limits (1/n for one of n shards of a source): the limits are
   * the account's, and n workers each spending all of them would exceed them n times.
   */
  share?: number;
}

/**
 * Paces our requests to one provider: holds each until every bucket has room and any
 * Retry-After pause has passed. A wait the poll cannot afford becomes a rate-limited
 * ProviderError carrying the wait. (The gateway's ClientRateLimiter is the other way round:
 * it turns away callers of our API.)
 */
export class ProviderRateLimiter {
  private readonly requestBucket?: TokenBucket;
  private readonly weightBucket?: TokenBucket;
  private readonly maxWaitMs: number;
  private pausedUntil = 0;

  constructor(
    options: ProviderRateLimiterOptions,
    private readonly clock: Clock,
    private readonly stats: StatsRecorder,
  ) {
    const { limits } = options;
    const share = options.share ?? 1;
    this.maxWaitMs = options.maxWaitMs;
    const fullRate = options.requestsPerMinuteOverride ?? limits.requestsPerMinute;
    if (fullRate !== undefined) {
      const requestsPerMinute = fullRate * share;
      // An override also bounds the burst, so a low rate is not defeated by a large bucket.
      const burst = Math.max(1, Math.min(limits.burst * share, requestsPerMinute));
      this.requestBucket = new TokenBucket(burst, requestsPerMinute, clock);
    }
    if (limits.weightPerMinute !== undefined) {
      const burst = Math.max(1, limits.burst * share);
      this.weightBucket = new TokenBucket(burst, limits.weightPerMinute * share, clock);
    }
  }

  async acquire(weight: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.waitFor(weight);
      if (wait <= 0) break;
      if (wait > this.maxWaitMs) {
        throw new ProviderError(
          'rate-limited',
          `rate limit: the next request may go in ${Math.ceil(wait / 1000)} s`,
          wait,
        );
      }
      this.stats.rateLimitWaited(wait);
      await this.clock.sleep(wait, signal);
    }
    this.requestBucket?.take(1);
    this.weightBucket?.take(weight);
  }

  /** Honours a provider's Retry-After (or equivalent hint) for every later request. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  /** Aligns the weight bucket with the server's own count (Binance's X-MBX-USED-WEIGHT-1M). */
  syncUsedWeight(used: number, limit: number): void {
    this.weightBucket?.syncUsed(used, limit);
  }

  private waitFor(weight: number): number {
    return Math.max(
      this.pausedUntil - this.clock.now(),
      this.requestBucket?.waitFor(1) ?? 0,
      this.weightBucket?.waitFor(weight) ?? 0,
    );
  }
}
