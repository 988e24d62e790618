import { RingBuffer } from './ring-buffer.ts';
import { SortedValues } from './sorted-values.ts';

/**
 * A model's recent directional calls in one direction: how bold each was (the predicted move
 * |ŷ / last − 1|) and whether the price did move that way. Answers "when this model made calls
 * like this one, how often was it right?" in O(log n).
 */
export class CallRecord {
  private readonly boldness: RingBuffer;
  private readonly rights: RingBuffer;
  private readonly all: SortedValues;
  private readonly right: SortedValues;

  constructor(readonly capacity: number) {
    this.boldness = new RingBuffer(capacity);
    this.rights = new RingBuffer(capacity);
    this.all = new SortedValues(capacity);
    this.right = new SortedValues(capacity);
  }

  get size(): number {
    return this.all.size;
  }

  add(boldness: number, wasRight: boolean): void {
    const evicted = this.boldness.push(boldness);
    const evictedWasRight = this.rights.push(wasRight ? 1 : 0);
    if (!Number.isNaN(evicted)) {
      this.all.remove(evicted);
      if (evictedWasRight === 1) this.right.remove(evicted);
    }
    this.all.add(boldness);
    if (wasRight) this.right.add(boldness);
  }

  /**
   * Calls at least `boldness` bold and how many of them were right; when fewer than `minimum`
   * are that bold, the `minimum` boldest instead, so the count always rests on `minimum` calls.
   * Null when fewer than `minimum` calls were recorded at all.
   */
  boldCalls(boldness: number, minimum: number): { total: number; right: number } | null {
    const size = this.all.size;
    if (size < minimum || minimum < 1) return null;
    const threshold = Math.min(boldness, this.all.at(size - minimum));
    return { total: this.all.countAtLeast(threshold), right: this.right.countAtLeast(threshold) };
  }
}
