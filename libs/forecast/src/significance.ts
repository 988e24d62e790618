import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { requireCount, requireSameLength } from './arguments.ts';
import type { SkillVerdict } from './verdicts.ts';

export interface DieboldMariano {
  /** Pairs used. */
  n: number;
  /** mean(modelLoss − naiveLoss); negative = model better. Null when there are no pairs. */
  meanLossDifference: number | null;
  /** HLN-corrected DM statistic; null with too few pairs or when the losses never vary apart. */
  statistic: number | null;
  /** Two-sided, Student t with n − 1 degrees of freedom. */
  pValue: number | null;
  /** At `alpha` (default 0.05). */
  verdict: SkillVerdict;
}

/**
 * Fewest pairs a test is run on. Below ten the t approximation rests on almost nothing; the test
 * also needs n ≥ 2·horizonSteps, where the HLN factor stays well defined.
 */
export const DM_MIN_PAIRS = 10;

export const DM_DEFAULT_ALPHA = 0.05;

/**
 * Diebold–Mariano test (Diebold & Mariano 1995) of equal predictive accuracy between a model and
 * naive on the same pairs, with the Harvey–Leybourne–Newbold (1997) small-sample correction.
 *
 * d_t = modelLoss_t − naiveLoss_t. h-step forecasts made every step have overlapping targets, so
 * d is autocorrelated up to lag h − 1: its long-run variance is the Newey–West estimate with
 * Bartlett weights 1 − k/h for k = 1..h − 1 (never negative, unlike the rectangular kernel of
 * the original paper). DM = mean(d) / √(LRV / n), then ·√((n + 1 − 2h + h(h − 1)/n) / n), and the
 * p-value is two-sided from Student t with n − 1 degrees of freedom, as HLN recommend.
 *
 * Losses are per-pair absolute errors (same pairs, time order). `horizonSteps` = how many
 * consecutive forecasts' targets overlap (h for an h-step forecast made every step).
 */
export function dieboldMariano(
  modelLoss: ArrayLike<number>,
  naiveLoss: ArrayLike<number>,
  horizonSteps: number,
  alpha = DM_DEFAULT_ALPHA,
): DieboldMariano {
  const n = modelLoss.length;
  requireSameLength('naiveLoss', naiveLoss, 'modelLoss', modelLoss);
  requireCount('horizonSteps', horizonSteps);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);

  const d = new Float64Array(n);
  let sum = 0;
  for (let t = 0; t < n; t++) {
    const model = modelLoss[t]!;
    const naive = naiveLoss[t]!;
    if (!Number.isFinite(model))
      throw new RangeError(`modelLoss[${t}] must be finite, got ${model}`);
    if (!Number.isFinite(naive))
      throw new RangeError(`naiveLoss[${t}] must be finite, got ${naive}`);
    d[t] = model - naive;
    sum += d[t]!;
  }
  const mean = n > 0 ? sum / n : null;
  if (mean === null || n < Math.max(DM_MIN_PAIRS, 2 * horizonSteps)) {
    return { n, meanLossDifference: mean, statistic: null, pValue: null, verdict: 'too-few-pairs' };
  }

  const variance = longRunVariance(d, mean, horizonSteps - 1);
  if (!(variance > 0)) {
    // The differences never vary: either the forecasts are the same (no difference at all) or
    // one is better by the same amount every time (a certain difference, p → 0).
    const exact = mean === 0;
    return {
      n,
      meanLossDifference: mean,
      statistic: exact ? 0 : null,
      pValue: exact ? 1 : 0,
      verdict: exact ? 'no-detectable-difference' : mean < 0 ? 'beats-naive' : 'worse-than-naive',
    };
  }
  const h = horizonSteps;
  const hln = Math.sqrt((n + 1 - 2 * h + (h * (h - 1)) / n) / n);
  const statistic = (mean / Math.sqrt(variance / n)) * hln;
  const pValue = Math.min(1, 2 * tCdf(-Math.abs(statistic), n - 1));
  const verdict: SkillVerdict =
    pValue >= alpha ? 'no-detectable-difference' : mean < 0 ? 'beats-naive' : 'worse-than-naive';
  return { n, meanLossDifference: mean, statistic, pValue, verdict };
}

/** γ0 + 2·Σ_{k=1..lags} (1 − k/(lags + 1))·γk, autocovariances with divisor n. */
function longRunVariance(d: Float64Array, mean: number, lags: number): number {
  const n = d.length;
  let variance = 0;
  for (let k = 0; k <= lags; k++) {
    let gamma = 0;
    for (let t = k; t < n; t++) gamma += (d[t]! - mean) * (d[t - k]! - mean);
    gamma /= n;
    variance += k === 0 ? gamma : 2 * (1 - k / (lags + 1)) * gamma;
  }
  return variance;
}
