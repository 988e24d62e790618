import { Forecaster, type ForecasterOptions } from './forecaster.ts';
import { formatHorizon, hoursToMs } from './horizon.ts';
import { ScoreAccumulator, type ScoreMetrics } from './metrics.ts';
import { parseModelSpec, type ModelSpec } from './model-spec.ts';
import { SIGNAL_RULE } from './signal.ts';

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
  /** 100 · share of outcomes inside the forecast interval, over pairs that had one. */
  intervalCoverage: number | null;
  /** Pairs whose forecast had a direction, confidence ≥ the default signal minimum, and a move. */
  confidentCalls: number;
  /** 100 · share of those calls whose direction was right: what "confident" is worth. */
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
    for (const spec of specs) {
      const forecaster = Forecaster.fromSpec(spec, hours, options.forecaster);
      if (forecaster.lookback > warmup + 1) {
        throw new BacktestConfigError(
          `${spec.text}: needs ${forecaster.lookback} closes of history, so warmup must be ≥ ${forecaster.lookback - 1} (got ${warmup})`,
        );
      }
      (report[spec.text] ??= {})[formatHorizon(hours)] = score(forecaster, closes, targets);
    }
  }
  return report;
}

/** Feeds the whole series through one forecaster, scoring each origin that has a target. */
function score(
  forecaster: Forecaster,
  closes: ArrayLike<number>,
  targets: Int32Array,
): BacktestMetrics {
  const accumulator = new ScoreAccumulator();
  const { minConfidence } = SIGNAL_RULE.parse({});
  let withInterval = 0;
  let covered = 0;
  let confidentCalls = 0;
  let confidentRight = 0;
  for (let i = 0; i < closes.length; i++) {
    const close = closes[i]!;
    forecaster.push(close);
    const target = targets[i]!;
    if (target < 0) continue;
    const actual = closes[target]!;
    accumulator.add(forecaster.point, actual, close);
    const forecast = forecaster.forecast();
    if (forecast.kind === 'forecast') {
      withInterval++;
      if (actual >= forecast.lower && actual <= forecast.upper) covered++;
      if (forecast.confidence >= minConfidence && actual !== close) {
        confidentCalls++;
        if (forecast.direction === (actual > close ? 'up' : 'down')) confidentRight++;
      }
    }
  }
  return {
    ...accumulator.metrics(),
    intervalCoverage: withInterval > 0 ? (100 * covered) / withInterval : null,
    confidentCalls,
    confidentAccuracy: confidentCalls > 0 ? (100 * confidentRight) / confidentCalls : null,
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
