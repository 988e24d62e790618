/**
 * A read-through cache for hot queries: answers are reused for `ttlMs`, and concurrent misses
 * for one key share a single load. At thousands of requests a second for "latest prices" this
 * turns each into a map lookup and the database sees a few queries a second; live views get
 * fresher data from the SSE streams anyway.
 */
export class ShortCache<T> {
  readonly #entries = new Map<string, { expiresMs: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxKeys = 1_000,
  ) {}

  get(key: string, load: () => Promise<T>, nowMs = Date.now()): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit && hit.expiresMs > nowMs) return hit.value;
    if (this.#entries.size >= this.maxKeys) {
      // Maps iterate in insertion order: drop the oldest key.
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    const value = load();
    this.#entries.set(key, { expiresMs: nowMs + this.ttlMs, value });
    // A failed load is not remembered: the next request tries again.
    value.catch(() => this.#entries.delete(key));
    return value;
  }

  /** Forgets every answer: the next request for each key loads again. */
  clear(): void {
    this.#entries.clear();
  }
}
