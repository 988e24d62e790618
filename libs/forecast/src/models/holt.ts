import type { PointModel } from '../point-model.ts';

export interface HoltParams {
  /** Level smoothing. */
  alpha: number;
  /** Trend smoothing. */
  beta: number;
  /** Trend damping φ; 1 is classic (undamped) Holt. */
  damping: number;
}

/**
 * Holt's double exponential smoothing with optional damped trend (Gardner & McKenzie):
 *   level ← α·c + (1 − α)(level + φ·trend)
 *   trend ← β(level − previous level) + (1 − β)·φ·trend
 *   ŷ(h) = level + (φ + φ² + … + φʰ)·trend
 * Started from the first two closes: level = c[1], trend = c[1] − c[0].
 */
export function createHolt({ alpha, beta, damping }: HoltParams, horizon: number): PointModel {
  let seen = 0;
  let level = Number.NaN;
  let trend = 0;
  // Σφᵏ for k = 1..h depends only on the parameters, so it is computed once.
  let trendMultiplier = 0;
  for (let k = 1, power = damping; k <= horizon; k++, power *= damping) trendMultiplier += power;
  return {
    lookback: 2,
    push(close) {
      seen++;
      if (seen === 1) {
        level = close;
      } else if (seen === 2) {
        trend = close - level;
        level = close;
      } else {
        const previous = level;
        level = alpha * close + (1 - alpha) * (previous + damping * trend);
        trend = beta * (level - previous) + (1 - beta) * damping * trend;
      }
    },
    predict: () => level + trendMultiplier * trend,
  };
}
