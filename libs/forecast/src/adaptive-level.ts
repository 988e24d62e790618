import { requireCount } from './arguments.ts';

/** One of the two interleaved runs of the recursion. */
export type Run = 0 | 1;

export const RUNS: readonly Run[] = [0, 1];

const parity = (period: number): Run => (((period % 2) + 2) % 2) as Run;

/**
 * The miscoverage level of adaptive conformal inference (Gibbs & Candès 2021): α ← α + γ·(α0 −
 * missed) after each scored interval, so the interval widens after misses and narrows after
 * hits. A miss depends on the level at its forecast's origin, so a level run over all history
 * depends on all of it, and a sliding window of outcomes does not cut that feedback: two runs
 * started at different bars never agree for good (on hourly BTC, with a 4,320-outcome window,
 * a forecaster started 10,000 bars after another still set different intervals at ~90 % of
 * the next 5,000 bars).
 *
 * So the recursion is restarted from α0 on the data's clock: a run starts at each bar whose
 * number is a multiple of `period`, lasts two periods, and its level is used in the second
 * (it then rests on between `period` and 2 × `period` outcomes, all of forecasts made since it
 * started). Two runs are kept, the one in use and the one warming up; each scores the intervals
 * it set itself. The level is thus a function of the last 2 × `period` bars only, the same for
 * a forecaster started later on the same bars. Counts are whole numbers, so the level is exact.
 */
export class AdaptiveLevel {
  /** Period each run started in; NaN before it ever did. */
  private readonly started = [Number.NaN, Number.NaN];
  private readonly scored = [0, 0];
  private readonly missed = [0, 0];
  private current = Number.NaN;

  constructor(
    /** The nominal miscoverage α0 = 1 − coverage. */
    private readonly target: number,
    /** γ; 0 keeps the level at α0. */
    private readonly step: number,
    private readonly period: number,
  ) {
    requireCount('adaptationWindow', period);
  }

  /** Period of the latest bar, the tag a forecast made at it carries to `add`. */
  get periodNow(): number {
    return this.current;
  }

  /** The run whose level the interval uses: the one started a period ago. */
  get inUse(): Run {
    return parity(this.current - 1);
  }

  /** Bar `barNumber` (whole) is the latest: a new period restarts the older run. */
  atBar(barNumber: number): void {
    const period = Math.floor(barNumber / this.period);
    if (period === this.current) return;
    this.current = period;
    this.restart(parity(period), period);
    // After a gap in bar numbers the other run did not start a period ago: it starts afresh too.
    const other = parity(period - 1);
    if (this.started[other] !== period - 1) this.restart(other, period - 1);
  }

  /** Run `run`'s level α0 + γ·Σ(α0 − missed) over the outcomes it scored. */
  level(run: Run): number {
    return this.target + this.step * (this.scored[run]! * this.target - this.missed[run]!);
  }

  /**
   * The outcome of an interval run `run` set at a bar of period `madeIn`: counted unless the
   * run restarted since, as it then did not set that interval.
   */
  add(run: Run, madeIn: number, missed: boolean): void {
    if (madeIn < this.started[run]!) return;
    this.scored[run]!++;
    if (missed) this.missed[run]!++;
  }

  private restart(run: Run, period: number): void {
    this.started[run] = period;
    this.scored[run] = 0;
    this.missed[run] = 0;
  }
}
