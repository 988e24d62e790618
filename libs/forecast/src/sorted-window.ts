import { RingBuffer } from './ring-buffer.ts';
import { SortedValues } from './sorted-values.ts';

/**
 * The last `capacity` values, kept both in arrival order (to know which one leaves) and sorted
 * (for quantiles and rank counts).
 */
export class SortedWindow {
  private readonly values: SortedValues;
  private readonly arrivals: RingBuffer;

  constructor(readonly capacity: number) {
    this.values = new SortedValues(capacity);
    this.arrivals = new RingBuffer(capacity);
  }

  get size(): number {
    return this.values.size;
  }

  /** Adds a finite value, evicting the oldest when full. */
  add(value: number): void {
    const evicted = this.arrivals.push(value);
    if (!Number.isNaN(evicted)) this.values.remove(evicted);
    this.values.add(value);
  }

  quantile(p: number): number {
    return this.values.quantile(p);
  }

  countBelow(x: number): number {
    return this.values.countBelow(x);
  }

  countAbove(x: number): number {
    return this.values.countAbove(x);
  }
}
