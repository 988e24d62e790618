import type { PointModel } from '../point-model.ts';

/** Tomorrow looks like today: ŷ = c[i]. The benchmark every other model must beat. */
export function createNaive(): PointModel {
  let last = Number.NaN;
  return {
    lookback: 1,
    push(close) {
      last = close;
    },
    predict: () => last,
  };
}
