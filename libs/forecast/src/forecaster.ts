import { AdaptiveLevel, RUNS } from './adaptive-level.ts';
import { CallRecord } from './call-record.ts';
import { ConfidenceCalibration } from './confidence-calibration.ts';
import { createPointModel } from './create-model.ts';
import type { ModelSpec } from './model-spec.ts';
import type { PointModel } from './point-model.ts';
import { SortedWindow } from './sorted-window.ts';

export interface ForecasterOptions {
  /** Past residuals (at this horizon) the interval is drawn from; also past calls per direction. */
  residualWindow?: number;
  /** Residuals required before a forecast is offered at all. */
  minResiduals?: number;
  /** Past same-direction calls a confidence rests on, and the weight of its coin-flip prior. */
  minCalls?: number;
  /** Nominal central coverage of the interval, e.g. 0.8 → 10% and 90% quantiles. */
  coverage?: number;
  /**
   * Step size γ of adaptive conformal inference (Gibbs & Candès 2021): each scored forecast
   * moves the miscoverage level by γ·(target − missed), so the interval widens after misses and
   * narrows after hits. 0 = fixed quantiles of the residual window.
   */
  intervalAdaptation?: number;
  /**
   * Bars between restarts of the adaptation, on bar numbers (see AdaptiveLevel): the level in
   * use rests on the outcomes of the last `adaptationWindow` to 2 × `adaptationWindow` bars.
   */
  adaptationWindow?: number;
  /** Whether `confidence` is calibrated (see `Forecast.confidence`). */
  calibrate?: boolean;
  /** Scored directional calls the confidence calibration is fitted on (the most recent). */
  calibrationWindow?: number;
  /** Scored directional calls held before calibrated confidence replaces the raw one. */
  calibrationMinCalls?: number;
  /**
   * Bars between refits of the calibration map: it is refitted at bars whose number (see
   * `Forecaster.push`) is a multiple of this.
   */
  calibrationRefit?: number;
}

export const FORECASTER_DEFAULTS: Required<ForecasterOptions> = {
  residualWindow: 720, // 30 days of hourly bars: recent enough to follow volatility regimes
  minResiduals: 24,
  minCalls: 100,
  coverage: 0.8,
  // The step Gibbs & Candès use in their experiments: the level moves at most 0.005 per scored
  // forecast, yet a run of misses over a few days widens the interval noticeably.
  intervalAdaptation: 0.005,
  // 90 days, so the level rests on 90 to 180 days of outcomes: far longer than a volatility
  // regime (days to weeks), and no further back than the calibration's 180 days, so the
  // adaptation does not lengthen the history a restarted worker must replay.
  adaptationWindow: 2160,
  calibrate: true,
  calibrationWindow: 4320, // 180 days of hourly calls: thousands of outcomes per fit
  calibrationMinCalls: 500,
  calibrationRefit: 168, // weekly on hourly bars; a refit costs the occupied groups, not the calls
};

export interface Forecast {
  readonly kind: 'forecast';
  /** Bars ahead. */
  readonly horizon: number;
  /** Latest close, the reference for direction and signals. */
  readonly last: number;
  readonly point: number;
  /**
   * Interval from the model's own past residuals at this horizon, at quantile levels adapted to
   * its recent misses (adaptive conformal); see docs/FORECASTING.md.
   */
  readonly lower: number;
  readonly upper: number;
  /** Nominal coverage of [lower, upper]. */
  readonly coverage: number;
  readonly direction: 'up' | 'down' | 'flat';
  /**
   * Estimated probability that the direction is right: `rawConfidence` mapped through a Platt
   * fit of the model's own scored calls (raw confidence → came true), refitted on the
   * `calibrationRefit` schedule once `calibrationMinCalls` are held; `rawConfidence` before the
   * first fit, or when `calibrate` is off.
   * 0 when the forecast is flat.
   */
  readonly confidence: number;
  /**
   * The model's recent calls at this horizon in the same direction and at least as bold
   * (predicted |move| ≥ this one's; widened to the `minCalls` boldest when fewer qualify), their
   * hit rate shrunk toward 1/2 by `minCalls` pseudo-calls: (right + minCalls/2) / (calls +
   * minCalls). 0 when the forecast is flat (no direction claimed) or fewer than `minCalls` calls
   * in that direction were scored yet.
   */
  readonly rawConfidence: number;
}

export interface NotEnoughData {
  readonly kind: 'not-enough-data';
  /** Bars needed before a forecast is available. */
  readonly needed: number;
  readonly available: number;
}

export type ForecastResult = Forecast | NotEnoughData;

/**
 * A point model plus the record of its own errors at one horizon: every forecast it makes is
 * scored when the close `horizon` bars later arrives. The trailing residuals (as a fraction of
 * the price at the origin, so they survive price level changes) give the interval; the trailing
 * record of direction calls gives the confidence. Confidence is a hit rate rather than residual
 * mass on the predicted side because residuals are not independent of the forecast: a lagging
 * model calls big moves exactly when its errors are big, and residual mass would make those
 * calls look near-certain while they come true about half the time.
 *
 * Every memory is a window and every schedule is tied to bar numbers, so the state rests on the
 * last `memoryBars` bars only: a forecaster started on those gives the forecasts of one that ran
 * throughout, which is what lets a live worker rebuild its state from stored bars at each start.
 */
export class Forecaster {
  private readonly options: Required<ForecasterOptions>;
  private readonly residuals: SortedWindow;
  private readonly upCalls: CallRecord;
  private readonly downCalls: CallRecord;
  private readonly calibration: ConfidenceCalibration;
  /**
   * Per forecast of the last `horizon` bars, waiting for its outcome: the point, the origin
   * close, its raw confidence and the interval of each adaptation run as residual quantiles
   * (run r's at slot·2 + r; NaN when it had none).
   */
  private readonly pendingPoints: Float64Array;
  private readonly pendingOrigins: Float64Array;
  private readonly pendingConfidences: Float64Array;
  private readonly pendingLows: Float64Array;
  private readonly pendingHighs: Float64Array;
  /** Period of AdaptiveLevel each pending forecast was made in. */
  private readonly pendingPeriods: Float64Array;
  private readonly level: AdaptiveLevel;
  private seen = 0;
  private lastClose = Number.NaN;
  private lastPoint = Number.NaN;
  private lastRawConfidence = 0;
  private lastLow = Number.NaN;
  private lastHigh = Number.NaN;

  constructor(
    private readonly model: PointModel,
    readonly horizon: number,
    options: ForecasterOptions = {},
  ) {
    this.options = { ...FORECASTER_DEFAULTS, ...options };
    const { residualWindow, minResiduals, minCalls, coverage, intervalAdaptation } = this.options;
    if (!(coverage > 0 && coverage < 1)) throw new RangeError('coverage must be in (0, 1)');
    if (!(intervalAdaptation >= 0 && intervalAdaptation < 1)) {
      throw new RangeError('intervalAdaptation must be in [0, 1)');
    }
    if (!(minResiduals >= 1 && minResiduals <= residualWindow)) {
      throw new RangeError('minResiduals must be between 1 and residualWindow');
    }
    if (!(minCalls >= 1 && minCalls <= residualWindow)) {
      throw new RangeError('minCalls must be between 1 and residualWindow');
    }
    this.residuals = new SortedWindow(residualWindow);
    this.upCalls = new CallRecord(residualWindow);
    this.downCalls = new CallRecord(residualWindow);
    this.calibration = new ConfidenceCalibration({
      window: this.options.calibrationWindow,
      minCalls: this.options.calibrationMinCalls,
      refitEvery: this.options.calibrationRefit,
    });
    this.pendingPoints = new Float64Array(horizon).fill(Number.NaN);
    this.pendingOrigins = new Float64Array(horizon);
    this.pendingConfidences = new Float64Array(horizon);
    this.pendingLows = new Float64Array(2 * horizon).fill(Number.NaN);
    this.pendingHighs = new Float64Array(2 * horizon).fill(Number.NaN);
    this.pendingPeriods = new Float64Array(horizon);
    this.level = new AdaptiveLevel(1 - coverage, intervalAdaptation, this.options.adaptationWindow);
  }

  static fromSpec(
    spec: ModelSpec | string,
    horizon: number,
    options?: ForecasterOptions,
  ): Forecaster {
    return new Forecaster(createPointModel(spec, horizon), horizon, options);
  }

  /** Closes needed before the point forecast exists. */
  get lookback(): number {
    return this.model.lookback;
  }

  /** Closes needed before `forecast()` returns a forecast (point plus enough residuals). */
  get needed(): number {
    return this.model.lookback + this.horizon + this.options.minResiduals - 1;
  }

  /** Nominal central coverage of the interval. */
  get nominalCoverage(): number {
    return this.options.coverage;
  }

  get barsSeen(): number {
    return this.seen;
  }

  /**
   * Bars after which the state no longer depends on what came before them; a forecaster started
   * that many bars back gives the forecasts of one that ran throughout. A raw confidence rests
   * on the last `residualWindow` calls in its direction, scored `horizon` bars after forecasts
   * that each used `lookback` closes. The calls of one direction span about twice as many bars,
   * more when the market trends, and the calibration's calls skip flat bars: on hourly BTC two
   * windows' worth of bars left a late starter's first calibration maps different at some
   * starts, three never did, so three are counted. The map in use was fitted at most
   * `calibrationRefit` bars ago on `calibrationWindow` calls, each with such a raw confidence.
   * The interval's level comes from an adaptation run started at most 2 × `adaptationWindow`
   * bars ago, each of its intervals from `residualWindow` residuals. The two memories run side
   * by side, so the longer counts. The call windows make this a measured bound, not a proven
   * one (forecaster-calibration.test.ts checks it on BTC for every model). Ridge with
   * trainWindow 0 learns from all history and never forgets; inverse-MAE consensus weights are
   * running sums and agree only to rounding.
   */
  get memoryBars(): number {
    const o = this.options;
    const base = this.model.lookback + 2 * this.horizon;
    const calls = 3 * o.residualWindow;
    const calibration = o.calibrate ? calls + o.calibrationWindow + o.calibrationRefit : calls;
    return base + Math.max(calibration, o.residualWindow + 2 * o.adaptationWindow);
  }

  /** Latest point forecast, NaN until `lookback` closes were pushed. Allocation-free. */
  get point(): number {
    return this.lastPoint;
  }

  /**
   * Feeds the next close (finite, positive). `barNumber` places it on the data's own clock (a
   * live worker passes bar time / bar length), so the calibration refits at the same bars
   * however late the forecaster started; by default the count of bars pushed before.
   */
  push(close: number, barNumber = this.seen): void {
    if (!Number.isSafeInteger(barNumber)) {
      throw new RangeError(`barNumber must be a whole number, got ${barNumber}`);
    }
    this.level.atBar(barNumber);
    const slot = this.seen % this.horizon;
    const due = this.pendingPoints[slot]!;
    if (!Number.isNaN(due)) this.score(slot, due, close);
    if (this.options.calibrate) this.calibration.atBar(barNumber);
    this.model.push(close);
    this.seen++;
    this.lastClose = close;
    const point = this.seen >= this.model.lookback ? this.model.predict() : Number.NaN;
    this.lastPoint = point;
    this.lastRawConfidence = Number.isNaN(point) ? 0 : this.rawConfidence(point, close);
    const hasInterval = this.residuals.size >= this.options.minResiduals && !Number.isNaN(point);
    for (const run of RUNS) {
      const tail = Math.min(0.5, Math.max(0, this.level.level(run) / 2));
      this.pendingLows[2 * slot + run] = hasInterval ? this.residuals.quantile(tail) : Number.NaN;
      this.pendingHighs[2 * slot + run] = hasInterval
        ? this.residuals.quantile(1 - tail)
        : Number.NaN;
    }
    const inUse = 2 * slot + this.level.inUse;
    this.lastLow = this.pendingLows[inUse]!;
    this.lastHigh = this.pendingHighs[inUse]!;
    this.pendingPoints[slot] = point;
    this.pendingOrigins[slot] = close;
    this.pendingConfidences[slot] = this.lastRawConfidence;
    this.pendingPeriods[slot] = this.level.periodNow;
  }

  /** The forecast made `horizon` bars ago meets its outcome. */
  private score(slot: number, due: number, close: number): void {
    const origin = this.pendingOrigins[slot]!;
    const residual = (close - due) / origin;
    for (const run of RUNS) {
      const low = this.pendingLows[2 * slot + run]!;
      if (Number.isNaN(low)) continue;
      const missed = residual < low || residual > this.pendingHighs[2 * slot + run]!;
      this.level.add(run, this.pendingPeriods[slot]!, missed);
    }
    this.residuals.add(residual);
    // Like directionalAccuracy, a flat call or a flat outcome says nothing about direction.
    if (due !== origin && close !== origin) {
      const wasRight = due > origin === close > origin;
      const calls = due > origin ? this.upCalls : this.downCalls;
      calls.add(Math.abs(due / origin - 1), wasRight);
      const confidence = this.pendingConfidences[slot]!;
      if (confidence > 0 && this.options.calibrate) this.calibration.add(confidence, wasRight);
    }
  }

  private rawConfidence(point: number, last: number): number {
    if (point === last) return 0;
    const calls = point > last ? this.upCalls : this.downCalls;
    const record = calls.boldCalls(Math.abs(point / last - 1), this.options.minCalls);
    if (record === null) return 0;
    // Hit rates of the boldest calls are partly luck (and the luckiest look best), so they are
    // shrunk toward a coin flip by `minCalls` pseudo-calls, half right.
    const prior = this.options.minCalls;
    return (record.right + prior / 2) / (record.total + prior);
  }

  forecast(): ForecastResult {
    if (this.seen < this.needed || this.residuals.size < this.options.minResiduals) {
      return { kind: 'not-enough-data', needed: this.needed, available: this.seen };
    }
    const last = this.lastClose;
    const point = this.lastPoint;
    const rawConfidence = this.lastRawConfidence;
    return {
      kind: 'forecast',
      horizon: this.horizon,
      last,
      point,
      lower: point + this.lastLow * last,
      upper: point + this.lastHigh * last,
      coverage: this.options.coverage,
      direction: point > last ? 'up' : point < last ? 'down' : 'flat',
      confidence: this.options.calibrate ? this.calibration.apply(rawConfidence) : rawConfidence,
      rawConfidence,
    };
  }
}

/** One-shot convenience: replays `closes` through a fresh forecaster and forecasts once. */
export function forecastSeries(
  spec: ModelSpec | string,
  closes: ArrayLike<number>,
  horizon: number,
  options?: ForecasterOptions,
): ForecastResult {
  const forecaster = Forecaster.fromSpec(spec, horizon, options);
  for (let i = 0; i < closes.length; i++) forecaster.push(closes[i]!);
  return forecaster.forecast();
}

/**
 * Closed bars before every horizon forecasts (Forecaster.needed): a new model's warm-up. History
 * loaded at start must cover it, or a worker with a long window forecasts nothing until that many
 * new bars arrive.
 */
export function barsNeeded(model: ModelSpec, barMs: number, horizonsMs: readonly number[]): number {
  return Math.max(...horizonsMs.map((h) => Forecaster.fromSpec(model, h / barMs).needed));
}

/**
 * Closed bars after which no horizon's state depends on earlier ones (Forecaster.memoryBars): the
 * history a restarted worker replays to forecast as one that ran throughout.
 */
export function barsRemembered(
  model: ModelSpec,
  barMs: number,
  horizonsMs: readonly number[],
  options?: ForecasterOptions,
): number {
  return Math.max(
    ...horizonsMs.map((h) => Forecaster.fromSpec(model, h / barMs, options).memoryBars),
  );
}
