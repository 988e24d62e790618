import type { Clock } from './clock.ts';

/**
 * A token bucket: holds up to `capacity` tokens (the burst) and refills continuously at
 * `perMinute`. A request costs its weight in tokens.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly capacity: number,
    readonly perMinute: number,
    private readonly clock: Clock,
  ) {
    if (!(capacity > 0) || !(perMinute > 0)) throw new RangeError('bucket needs a positive rate');
    this.tokens = capacity;
    this.updatedAt = clock.now();
  }

  /** Milliseconds until `cost` tokens are available (0 when they are now). */
  waitFor(cost: number): number {
    this.refill();
    // A request heavier than the whole bucket may still go once the bucket is full.
    const needed = Math.min(cost, this.capacity);
    if (this.tokens >= needed) return 0;
    return Math.ceil(((needed - this.tokens) * 60_000) / this.perMinute);
  }

  take(cost: number): void {
    this.refill();
    this.tokens -= Math.min(cost, this.capacity);
  }

  /** Aligns the bucket with what the server says has been used (e.g. Binance's used weight). */
  syncUsed(used: number, limit: number): void {
    this.refill();
    this.tokens = Math.min(this.tokens, Math.max(0, limit - used));
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.perMinute) / 60_000);
    this.updatedAt = now;
  }
}
