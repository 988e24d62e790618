import { reliability, type Reliability } from './calibration.ts';
import { Forecaster, type ForecasterOptions } from './forecaster.ts';
import { formatHorizon, hoursToMs } from './horizon.ts';
import { ScoreAccumulator, type ScoreMetrics } from './metrics.ts';
import { parseModelSpec, type ModelSpec } from './model-spec.ts';
import { DEFAULT_SIGNAL_RULE } from './signal.ts';
import { dieboldMariano, type DieboldMariano } from './significance.ts';

export const DEFAULT_WARMUP = 168;

/** Bars as parallel arrays: open times (epoch ms, strictly increasing) and closes. */
export interface BacktestSeries {
  times: ArrayLike<number>;
  closes: ArrayLike<number>;
}

export interface BacktestOptions {
  models: readonly (ModelSpec | string)[];
  /** Horizons in hours. */
  horizons: readonly number[];
  /** First origin bar index; every model must be able to forecast from there. */
  warmup?: number;
  /** Score only pairs whose origin time is ≥ from (epoch ms). */
  from?: number;
  /** Score only pairs whose target time is < to (epoch ms), so nothing past `to` is looked at. */
  to?: number;
  forecaster?: ForecasterOptions;
}

export interface BacktestMetrics extends ScoreMetrics {
  /** Diebold–Mariano test of the absolute errors against naive's, over the same pairs. */
  significance: DieboldMariano;
  /** Reliability of the stated confidence of directional calls (confidence > 0, price moved). */
  calibration: Reliability;
  /** Expected calibration error of the same calls' raw (uncalibrated) confidence. */
  rawCalibrationError: number | null;
  /** Share (fraction) of outcomes inside the forecast interval, over pairs that had one. */
  intervalCoverage: number | null;
  /** The interval's nominal coverage (fraction). */
  nominalCoverage: number;
  /**
   * Coverage in the calmer and the more volatile half of the scored origins, split at the
   * median of the trailing volatility (RMS of the last 168 one-bar log returns) at the origin.
   */
  coverageByVolatility: { calm: number | null; volatile: number | null };
  /**
   * 1 − mean interval score / naive's, over pairs where both had an interval. Naive's interval:
   * the empirical quantiles of naive's own past residuals over the same window (fixed levels).
   * The interval score (Gneiting & Raftery 2007) is 2/α times the summed pinball losses of the two
   * quantiles, so this is also the pinball skill. Positive = sharper and/or better placed.
   */
  intervalScoreSkill: number | null;
  /** Pairs whose forecast had a direction, confidence ≥ the default signal minimum, and a move. */
  confidentCalls: number;
  /** Share (0–1) of those calls whose direction was right: what "confident" is worth. */
  confidentAccuracy: number | null;
}

/** Spec text → horizon label (`"6h"`) → metrics. */
export type BacktestReport = Record<string, Record<string, BacktestMetrics>>;

export class BacktestConfigError extends Error {
  override name = 'BacktestConfigError';
}

/**
 * Walk-forward backtest. Every bar i ≥ warmup is a forecast origin; the model has seen closes
 * c[0..i] only. The target of horizon h is the bar whose time is exactly time[i] + h hours; when
 * there is no such bar (a gap) the pair is skipped for every model, so all models are scored on
 * the same pairs.
 */
export function runBacktest(series: BacktestSeries, options: BacktestOptions): BacktestReport {
  const { times, closes } = series;
  const warmup = options.warmup ?? DEFAULT_WARMUP;
  checkSeries(series);
  if (!Number.isSafeInteger(warmup) || warmup < 0) {
    throw new BacktestConfigError(`warmup must be a whole number of bars ≥ 0, got ${warmup}`);
  }
  const horizons = [...new Set(options.horizons)];
  for (const hours of horizons) {
    if (!Number.isSafeInteger(hours) || hours < 1) {
      throw new BacktestConfigError(`horizon must be a whole number of hours ≥ 1, got ${hours}`);
    }
  }
  const specs = options.models.map((model) =>
    typeof model === 'string' ? parseModelSpec(model) : model,
  );

  const report: BacktestReport = {};
  for (const hours of horizons) {
    const targets = targetIndexes(times, hours, warmup, options.from, options.to);
    const baseline = naiveIntervals(closes, targets, hours, options.forecaster);
    const volatile = volatileOrigins(closes, targets);
    for (const spec of specs) {
      const forecaster = Forecaster.fromSpec(spec, hours, options.forecaster);
      if (forecaster.lookback > warmup + 1) {
        throw new BacktestConfigError(
          `${spec.text}: needs ${forecaster.lookback} closes of history, so warmup must be ≥ ${forecaster.lookback - 1} (got ${warmup})`,
        );
      }
      (report[spec.text] ??= {})[formatHorizon(hours)] = score(
        forecaster,
        closes,
        targets,
        baseline,
        volatile,
      );
    }
  }
  return report;
}

/** Naive's interval at every scored origin (NaN where it had none yet). */
interface Intervals {
  lower: Float64Array;
  upper: Float64Array;
}

/**
 * The interval a forecaster needs to beat: naive's point with the fixed empirical quantiles of
 * naive's own past residuals (no adaptation), over the same residual window and coverage.
 */
function naiveIntervals(
  closes: ArrayLike<number>,
  targets: Int32Array,
  hours: number,
  options: ForecasterOptions = {},
): Intervals {
  const forecaster = Forecaster.fromSpec('naive', hours, { ...options, intervalAdaptation: 0 });
  const lower = new Float64Array(closes.length).fill(Number.NaN);
  const upper = new Float64Array(closes.length).fill(Number.NaN);
  for (let i = 0; i < closes.length; i++) {
    forecaster.push(closes[i]!);
    if (targets[i]! < 0) continue;
    const forecast = forecaster.forecast();
    if (forecast.kind !== 'forecast') continue;
    lower[i] = forecast.lower;
    upper[i] = forecast.upper;
  }
  return { lower, upper };
}

const VOLATILITY_WINDOW = 168;

/**
 * 1 at scored origins whose trailing volatility (RMS of the last 168 one-bar log returns) is
 * above the median over scored origins, else 0. Origins with less history count as calm.
 */
function volatileOrigins(closes: ArrayLike<number>, targets: Int32Array): Uint8Array {
  const volatility = new Float64Array(closes.length).fill(Number.NaN);
  const squares = new Float64Array(closes.length);
  let sum = 0;
  for (let i = 1; i < closes.length; i++) {
    squares[i] = Math.log(closes[i]! / closes[i - 1]!) ** 2;
    sum += squares[i]!;
    if (i > VOLATILITY_WINDOW) sum -= squares[i - VOLATILITY_WINDOW]!;
    if (i >= VOLATILITY_WINDOW) volatility[i] = Math.sqrt(Math.max(0, sum) / VOLATILITY_WINDOW);
  }
  const scored = volatility.filter((value, i) => targets[i]! >= 0 && !Number.isNaN(value)).sort();
  const median = scored.length > 0 ? scored[Math.floor(scored.length / 2)]! : Infinity;
  return Uint8Array.from(volatility, (value) => (value > median ? 1 : 0));
}

/** Interval score of [lower, upper] at miscoverage alpha for outcome y (lower is better). */
function intervalScore(lower: number, upper: number, y: number, alpha: number): number {
  const below = y < lower ? lower - y : 0;
  const above = y > upper ? y - upper : 0;
  return upper - lower + (2 / alpha) * (below + above);
}

/** Feeds the whole series through one forecaster, scoring each origin that has a target. */
function score(
  forecaster: Forecaster,
  closes: ArrayLike<number>,
  targets: Int32Array,
  baseline: Intervals,
  volatile: Uint8Array,
): BacktestMetrics {
  const accumulator = new ScoreAccumulator();
  const { minConfidence } = DEFAULT_SIGNAL_RULE;
  const modelLoss: number[] = [];
  const naiveLoss: number[] = [];
  const confidences: number[] = [];
  const rawConfidences: number[] = [];
  const outcomes: number[] = [];
  let withInterval = 0;
  let covered = 0;
  const regimePairs = [0, 0]; // calm, volatile
  const regimeCovered = [0, 0];
  let scored = 0;
  let modelScore = 0;
  let naiveScore = 0;
  let confidentCalls = 0;
  let confidentRight = 0;
  for (let i = 0; i < closes.length; i++) {
    const close = closes[i]!;
    forecaster.push(close);
    const target = targets[i]!;
    if (target < 0) continue;
    const actual = closes[target]!;
    const point = forecaster.point;
    accumulator.add(point, actual, close);
    modelLoss.push(Math.abs(point - actual));
    naiveLoss.push(Math.abs(close - actual));
    const forecast = forecaster.forecast();
    if (forecast.kind !== 'forecast') continue;
    withInterval++;
    const inside = actual >= forecast.lower && actual <= forecast.upper;
    if (inside) covered++;
    regimePairs[volatile[i]!]!++;
    if (inside) regimeCovered[volatile[i]!]!++;
    if (!Number.isNaN(baseline.lower[i]!)) {
      const alpha = 1 - forecast.coverage;
      scored++;
      modelScore += intervalScore(forecast.lower, forecast.upper, actual, alpha);
      naiveScore += intervalScore(baseline.lower[i]!, baseline.upper[i]!, actual, alpha);
    }
    if (forecast.confidence > 0 && actual !== close) {
      const right = forecast.direction === (actual > close ? 'up' : 'down');
      confidences.push(forecast.confidence);
      rawConfidences.push(forecast.rawConfidence);
      outcomes.push(right ? 1 : 0);
      if (forecast.confidence >= minConfidence) {
        confidentCalls++;
        if (right) confidentRight++;
      }
    }
  }
  return {
    ...accumulator.metrics(),
    significance: dieboldMariano(modelLoss, naiveLoss, forecaster.horizon),
    calibration: reliability(confidences, outcomes),
    rawCalibrationError: reliability(rawConfidences, outcomes).ece,
    intervalCoverage: withInterval > 0 ? covered / withInterval : null,
    nominalCoverage: forecaster.nominalCoverage,
    coverageByVolatility: {
      calm: regimePairs[0]! > 0 ? regimeCovered[0]! / regimePairs[0]! : null,
      volatile: regimePairs[1]! > 0 ? regimeCovered[1]! / regimePairs[1]! : null,
    },
    intervalScoreSkill: scored > 0 && naiveScore > 0 ? 1 - modelScore / naiveScore : null,
    confidentCalls,
    confidentAccuracy: confidentCalls > 0 ? confidentRight / confidentCalls : null,
  };
}

/**
 * For each origin, the index of the bar exactly `hours` later, or −1 when the origin is before
 * warmup, outside [from, to), or has no such bar.
 */
function targetIndexes(
  times: ArrayLike<number>,
  hours: number,
  warmup: number,
  from = -Infinity,
  to = Infinity,
): Int32Array {
  const targets = new Int32Array(times.length).fill(-1);
  const offset = hoursToMs(hours);
  let j = 0;
  for (let i = warmup; i < times.length; i++) {
    const wanted = times[i]! + offset;
    if (j < i) j = i;
    while (j < times.length && times[j]! < wanted) j++;
    if (j < times.length && times[j] === wanted && times[i]! >= from && wanted < to) {
      targets[i] = j;
    }
  }
  return targets;
}

function checkSeries({ times, closes }: BacktestSeries): void {
  if (times.length !== closes.length) {
    throw new BacktestConfigError(`${times.length} times but ${closes.length} closes`);
  }
  for (let i = 0; i < closes.length; i++) {
    if (!(closes[i]! > 0 && Number.isFinite(closes[i]!))) {
      throw new BacktestConfigError(`close at bar ${i} must be finite and positive`);
    }
    if (i > 0 && !(times[i]! > times[i - 1]!)) {
      throw new BacktestConfigError(`times must be strictly increasing (bar ${i})`);
    }
  }
}
