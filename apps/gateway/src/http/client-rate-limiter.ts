/**
 * A token bucket per client: `perMinute` requests a minute on average, bursts up to a tenth
 * of that (at least 20). Idle clients are forgotten so the map stays small. It turns a caller
 * away at once (HTTP 429), where the providers' ProviderRateLimiter (libs/market) makes our
 * own requests wait for room.
 */
export class ClientRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; updatedMs: number }>();
  readonly #ratePerMs: number;
  readonly #burst: number;
  #lastSweepMs = 0;

  constructor(perMinute: number) {
    this.#ratePerMs = perMinute / 60_000;
    this.#burst = Math.max(20, Math.ceil(perMinute / 10));
  }

  /** Takes one token; when none is left, says how many seconds until one is. */
  take(
    client: string,
    nowMs = Date.now(),
  ): { allowed: true } | { allowed: false; retryAfterS: number } {
    this.#sweep(nowMs);
    const bucket = this.#buckets.get(client) ?? { tokens: this.#burst, updatedMs: nowMs };
    bucket.tokens = Math.min(
      this.#burst,
      bucket.tokens + (nowMs - bucket.updatedMs) * this.#ratePerMs,
    );
    bucket.updatedMs = nowMs;
    this.#buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterS: Math.ceil((1 - bucket.tokens) / this.#ratePerMs / 1000) };
  }

  #sweep(nowMs: number): void {
    if (nowMs - this.#lastSweepMs < 60_000) return;
    this.#lastSweepMs = nowMs;
    const refillMs = this.#burst / this.#ratePerMs;
    for (const [client, bucket] of this.#buckets) {
      if (nowMs - bucket.updatedMs > refillMs) this.#buckets.delete(client);
    }
  }
}
