import { CallRecord } from './call-record.ts';
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
}

export const FORECASTER_DEFAULTS: Required<ForecasterOptions> = {
  residualWindow: 720, // 30 days of hourly bars: recent enough to follow volatility regimes
  minResiduals: 24,
  minCalls: 100,
  coverage: 0.8,
};

export interface Forecast {
  readonly kind: 'forecast';
  /** Bars ahead. */
  readonly horizon: number;
  /** Latest close, the reference for direction and signals. */
  readonly last: number;
  readonly point: number;
  /** Interval from the model's own past residuals at this horizon; see docs/FORECASTING.md. */
  readonly lower: number;
  readonly upper: number;
  /** Nominal coverage of [lower, upper]. */
  readonly coverage: number;
  readonly direction: 'up' | 'down' | 'flat';
  /**
   * Estimated probability that the direction is right: the model's recent calls at this horizon
   * in the same direction and at least as bold (predicted |move| ≥ this one's; widened to the
   * `minCalls` boldest when fewer qualify), their hit rate shrunk toward 1/2 by `minCalls`
   * pseudo-calls: (right + minCalls/2) / (calls + minCalls). 0 when the forecast is flat (no
   * direction claimed) or fewer than `minCalls` calls in that direction were scored yet.
   */
  readonly confidence: number;
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
 */
export class Forecaster {
  private readonly options: Required<ForecasterOptions>;
  private readonly residuals: SortedWindow;
  private readonly upCalls: CallRecord;
  private readonly downCalls: CallRecord;
  /** Forecasts and origin closes of the last `horizon` bars, waiting for their outcome. */
  private readonly pendingPoints: Float64Array;
  private readonly pendingOrigins: Float64Array;
  private seen = 0;
  private lastClose = Number.NaN;
  private lastPoint = Number.NaN;

  constructor(
    private readonly model: PointModel,
    readonly horizon: number,
    options: ForecasterOptions = {},
  ) {
    this.options = { ...FORECASTER_DEFAULTS, ...options };
    const { residualWindow, minResiduals, minCalls, coverage } = this.options;
    if (!(coverage > 0 && coverage < 1)) throw new RangeError('coverage must be in (0, 1)');
    if (!(minResiduals >= 1 && minResiduals <= residualWindow)) {
      throw new RangeError('minResiduals must be between 1 and residualWindow');
    }
    if (!(minCalls >= 1 && minCalls <= residualWindow)) {
      throw new RangeError('minCalls must be between 1 and residualWindow');
    }
    this.residuals = new SortedWindow(residualWindow);
    this.upCalls = new CallRecord(residualWindow);
    this.downCalls = new CallRecord(residualWindow);
    this.pendingPoints = new Float64Array(horizon).fill(Number.NaN);
    this.pendingOrigins = new Float64Array(horizon);
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

  get barsSeen(): number {
    return this.seen;
  }

  /** Latest point forecast, NaN until `lookback` closes were pushed. Allocation-free. */
  get point(): number {
    return this.lastPoint;
  }

  /** Feeds the next close (finite, positive). */
  push(close: number): void {
    const slot = this.seen % this.horizon;
    const due = this.pendingPoints[slot]!;
    if (!Number.isNaN(due)) {
      const origin = this.pendingOrigins[slot]!;
      this.residuals.add((close - due) / origin);
      // Like directionalAccuracy, a flat call or a flat outcome says nothing about direction.
      if (due !== origin && close !== origin) {
        const calls = due > origin ? this.upCalls : this.downCalls;
        calls.add(Math.abs(due / origin - 1), due > origin === close > origin);
      }
    }
    this.model.push(close);
    this.seen++;
    this.lastClose = close;
    this.lastPoint = this.seen >= this.model.lookback ? this.model.predict() : Number.NaN;
    this.pendingPoints[slot] = this.lastPoint;
    this.pendingOrigins[slot] = close;
  }

  forecast(): ForecastResult {
    if (this.seen < this.needed || this.residuals.size < this.options.minResiduals) {
      return { kind: 'not-enough-data', needed: this.needed, available: this.seen };
    }
    const { coverage } = this.options;
    const last = this.lastClose;
    const point = this.lastPoint;
    const tail = (1 - coverage) / 2;
    const direction = point > last ? 'up' : point < last ? 'down' : 'flat';
    const calls = direction === 'up' ? this.upCalls : direction === 'down' ? this.downCalls : null;
    const record = calls?.boldCalls(Math.abs(point / last - 1), this.options.minCalls);
    // Hit rates of the boldest calls are partly luck (and the luckiest look best), so they are
    // shrunk toward a coin flip by `minCalls` pseudo-calls, half right.
    const prior = this.options.minCalls;
    const confidence = record ? (record.right + prior / 2) / (record.total + prior) : 0;
    return {
      kind: 'forecast',
      horizon: this.horizon,
      last,
      point,
      lower: point + this.residuals.quantile(tail) * last,
      upper: point + this.residuals.quantile(1 - tail) * last,
      coverage,
      direction,
      confidence,
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
