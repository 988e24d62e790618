/**
 * A fixed-capacity FIFO of numbers over a Float64Array: the trailing window every model and
 * accumulator keeps. Pushing into a full buffer evicts the oldest value.
 */
export class RingBuffer {
  private readonly values: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`);
    }
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Appends `value`; returns the evicted oldest value, or NaN when nothing was evicted. */
  push(value: number): number {
    if (this.count < this.capacity) {
      this.values[(this.start + this.count) % this.capacity] = value;
      this.count++;
      return Number.NaN;
    }
    const evicted = this.values[this.start]!;
    this.values[this.start] = value;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** `k`-th value counting from the oldest (0 = oldest). */
  at(k: number): number {
    return this.values[(this.start + k) % this.capacity]!;
  }

  /** `k`-th value counting back from the newest (0 = newest). */
  fromEnd(k: number): number {
    return this.values[(this.start + this.count - 1 - k) % this.capacity]!;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
  }
}
