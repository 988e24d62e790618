import type { PointModel } from '../point-model.ts';
import { RingBuffer } from '../ring-buffer.ts';

export interface RidgeParams {
  /** Number of past one-bar log-returns used as features. */
  lags: number;
  /** Most recent training samples kept (bars); 0 keeps all. Fewer while history is shorter. */
  trainWindow: number;
  /** Penalty relative to the mean feature variance: β ≈ β_OLS / (1 + λ) for uncorrelated lags. */
  lambda: number;
}

/**
 * Ridge regression of the `horizon`-bar log-return on the last `lags` one-bar log-returns,
 * refitted at every bar on a trailing window of samples whose outcome is already known.
 * No intercept: an hourly drift estimate is noise, and leaving it out means the model falls back
 * to exactly `naive` when the lags carry no information (β → 0).
 *
 * Training sums XᵀX and Xᵀy are updated incrementally (add the newest sample, drop the one that
 * left the window), so a bar costs O(lags²) plus one lags×lags solve, independent of trainWindow.
 */
export function createRidge(
  { lags, trainWindow, lambda }: RidgeParams,
  horizon: number,
): PointModel {
  const forgets = trainWindow > 0;
  // Enough log-closes to rebuild the features and target of the sample leaving the window (or,
  // keeping all samples, just of the newest one: memory stays O(lags + horizon)).
  const logCloses = new RingBuffer((forgets ? trainWindow : 0) + horizon + lags + 1);
  const xtx = new Float64Array(lags * lags);
  const xty = new Float64Array(lags);
  const features = new Float64Array(lags);
  const beta = new Float64Array(lags);
  const scratch = new Float64Array(lags * lags + lags);
  let pushed = 0;
  let lastClose = Number.NaN;

  /** Features of origin `back` bars before the newest: its last `lags` one-bar log-returns. */
  function loadFeatures(back: number): void {
    for (let m = 0; m < lags; m++) {
      features[m] = logCloses.fromEnd(back + m) - logCloses.fromEnd(back + m + 1);
    }
  }

  /** Adds (sign = 1) or removes (sign = −1) the sample whose origin is `back` bars ago. */
  function accumulate(back: number, sign: number): void {
    loadFeatures(back);
    const target = logCloses.fromEnd(back - horizon) - logCloses.fromEnd(back);
    for (let a = 0; a < lags; a++) {
      const fa = sign * features[a]!;
      xty[a] = xty[a]! + fa * target;
      for (let b = 0; b < lags; b++) xtx[a * lags + b] = xtx[a * lags + b]! + fa * features[b]!;
    }
  }

  function refit(): void {
    let trace = 0;
    for (let a = 0; a < lags; a++) trace += xtx[a * lags + a]!;
    if (!(trace > 0)) {
      beta.fill(0);
      return;
    }
    const penalty = (lambda * trace) / lags;
    if (!solveRegularized(xtx, xty, penalty, lags, beta, scratch)) beta.fill(0);
  }

  return {
    lookback: lags + 1,
    push(close) {
      logCloses.push(Math.log(close));
      lastClose = close;
      pushed++;
      const newestIndex = pushed - 1;
      // The sample with origin newestIndex − horizon just got its outcome; it needs `lags`
      // returns before it, i.e. origin ≥ lags.
      if (newestIndex - horizon >= lags) {
        accumulate(horizon, 1);
        if (forgets && newestIndex - horizon - trainWindow >= lags) {
          accumulate(horizon + trainWindow, -1);
        }
        refit();
      }
    },
    predict() {
      loadFeatures(0);
      let logReturn = 0;
      for (let m = 0; m < lags; m++) logReturn += beta[m]! * features[m]!;
      return lastClose * Math.exp(logReturn);
    },
  };
}

/**
 * Solves (A + penalty·I)·x = b for a symmetric positive semi-definite A by Cholesky
 * decomposition. Returns false when the system is not positive definite (e.g. λ = 0 on
 * collinear features), leaving the caller to fall back.
 */
function solveRegularized(
  a: Float64Array,
  b: Float64Array,
  penalty: number,
  n: number,
  x: Float64Array,
  scratch: Float64Array,
): boolean {
  const l = scratch; // lower-triangular factor in the first n×n slots
  const y = scratch.subarray(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]! + (i === j ? penalty : 0);
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) return false;
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return true;
}
