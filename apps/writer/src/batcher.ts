export interface BatcherOptions<T> {
  /** A batch is written when it has this many rows… */
  batchRows: number;
  /** …or when its oldest item has waited this long. */
  batchMaxMs: number;
  /** Batches written at the same time. */
  concurrency: number;
  /** The rows an item holds (at least one is counted for each). */
  rowsOf: (item: T) => number;
  write: (batch: T[]) => Promise<void>;
  /** A batch whose write failed; whatever it held must come back by other means. */
  onFailed: (err: Error) => void;
}

/**
 * Gathers items into batches by size or age and writes up to `concurrency` batches at once
 * (PostgreSQL uses a core per connection); `add` waits only when every slot is busy, so the
 * caller keeps pulling meanwhile.
 */
export class Batcher<T> {
  private pending: T[] = [];
  private pendingRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: BatcherOptions<T>) {}

  async add(item: T): Promise<void> {
    this.pending.push(item);
    this.pendingRows += Math.max(1, this.options.rowsOf(item));
    if (this.pending.length === 1)
      this.timer = setTimeout(() => void this.flush(), this.options.batchMaxMs);
    if (this.pendingRows >= this.options.batchRows) await this.flush();
  }

  /** Starts writing what is pending; resolves once a slot is free for the next batch. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    if (batch.length === 0) return;
    const write: Promise<void> = this.options
      .write(batch)
      .catch((err: Error) => this.options.onFailed(err))
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
    while (this.inFlight.size >= this.options.concurrency) await Promise.race(this.inFlight);
  }

  /** Waits for every batch being written. */
  async drained(): Promise<void> {
    await Promise.all(this.inFlight);
  }
}
