import type { PointModel } from '../point-model.ts';

/**
 * Exponentially weighted moving average: level ← α·close + (1 − α)·level, started at the first
 * close. The forecast is the level, flat over every horizon.
 */
export function createEwma({ alpha }: { alpha: number }): PointModel {
  let level = Number.NaN;
  return {
    lookback: 1,
    push(close) {
      level = Number.isNaN(level) ? close : alpha * close + (1 - alpha) * level;
    },
    predict: () => level,
  };
}
