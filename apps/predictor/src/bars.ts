/** Bars a silent source is bridged over with its last close before the series restarts. */
export const MAX_FILLED_BARS = 1_000;

export interface ClosedBar {
  /** When the bar closed (its end), epoch ms: the time its close is known. */
  time: number;
  close: number;
  /** True when no tick fell in the bar and the previous close was carried forward. */
  filled: boolean;
}

/**
 * Turns ticks into fixed bars in event time (the ticks' own timestamps, not the wall clock),
 * so a replay at any speed and a restart that re-reads the stream build the same bars.
 * A bar closes when the first tick of a later bar arrives; missing bars are forward-filled.
 */
export class BarBuilder {
  private bucket = Number.NEGATIVE_INFINITY;
  private close = Number.NaN;

  constructor(readonly barMs: number) {}

  /** Start of the bar still open (ticks before it are late and ignored). */
  get openBarStart(): number {
    return this.bucket;
  }

  /** Returns the bars this tick closed (usually none or one); late ticks return none. */
  push(timeMs: number, price: number): ClosedBar[] {
    const bucket = Math.floor(timeMs / this.barMs) * this.barMs;
    if (bucket < this.bucket) return [];
    if (bucket === this.bucket) {
      this.close = price;
      return [];
    }
    const closed: ClosedBar[] = [];
    if (Number.isFinite(this.bucket)) {
      closed.push({ time: this.bucket + this.barMs, close: this.close, filled: false });
      const missing = (bucket - this.bucket) / this.barMs - 1;
      if (missing <= MAX_FILLED_BARS) {
        for (let i = 1; i <= missing; i++) {
          closed.push({
            time: this.bucket + (i + 1) * this.barMs,
            close: this.close,
            filled: true,
          });
        }
      }
    }
    this.bucket = bucket;
    this.close = price;
    return closed;
  }
}
