/**
 * A bounded multiset of numbers kept sorted in a Float64Array: O(log n) rank queries and
 * quantiles, O(n) memmove per insert or removal — far cheaper than sorting at every forecast.
 */
export class SortedValues {
  private readonly sorted: Float64Array;
  private count = 0;

  constructor(readonly capacity: number) {
    this.sorted = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  add(value: number): void {
    if (this.count === this.capacity) throw new RangeError('sorted values are full');
    const at = this.upperBound(value);
    this.sorted.copyWithin(at + 1, at, this.count);
    this.sorted[at] = value;
    this.count++;
  }

  /** Removes one occurrence of `value`; returns false when it is not there. */
  remove(value: number): boolean {
    const at = this.lowerBound(value);
    if (at === this.count || this.sorted[at] !== value) return false;
    this.sorted.copyWithin(at, at + 1, this.count);
    this.count--;
    return true;
  }

  /** `k`-th smallest (0-based). */
  at(k: number): number {
    return this.sorted[k]!;
  }

  /** Empirical quantile with linear interpolation between order statistics (Hyndman–Fan 7). */
  quantile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const position = p * (this.count - 1);
    const below = Math.floor(position);
    const above = Math.min(below + 1, this.count - 1);
    const lower = this.sorted[below]!;
    return lower + (position - below) * (this.sorted[above]! - lower);
  }

  /** How many values are strictly below `x`. */
  countBelow(x: number): number {
    return this.lowerBound(x);
  }

  /** How many values are strictly above `x`. */
  countAbove(x: number): number {
    return this.count - this.upperBound(x);
  }

  /** How many values are ≥ x. */
  countAtLeast(x: number): number {
    return this.count - this.lowerBound(x);
  }

  /** First index whose value is ≥ x. */
  private lowerBound(x: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.sorted[mid]! < x) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** First index whose value is > x. */
  private upperBound(x: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.sorted[mid]! <= x) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
