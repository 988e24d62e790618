import type { ApiOutputs } from './api.ts';

type Prediction = ApiOutputs['predictions']['latest'][number];
type Signal = 'BUY' | 'SELL' | 'HOLD';

export interface Consensus {
  horizonS: number;
  point: number;
  lower: number;
  upper: number;
  confidence: number;
  signal: Signal;
  models: number;
  originPrice: number;
}

/** The default move a consensus call must clear (Binance spot's round-trip taker fee). */
export const CONSENSUS_THRESHOLD = 0.002;
export const CONSENSUS_MIN_CONFIDENCE = 0.7;

/**
 * The models' forecasts for one symbol and horizon combined: a weighted mean of points and
 * band edges, weights 1/MAE where a model has a live MAE (better models count more), equal
 * otherwise. `naive` is the baseline, not a voter.
 */
export function consensusFor(
  predictions: readonly Prediction[],
  horizonS: number,
  maeByModel: ReadonlyMap<string, number> = new Map(),
): Consensus | null {
  const voters = predictions.filter((p) => p.horizonS === horizonS && p.algorithm !== 'naive');
  if (voters.length === 0) return null;
  const weights = voters.map((p) => {
    const mae = maeByModel.get(p.model);
    return mae && mae > 0 ? 1 / mae : 1;
  });
  const total = weights.reduce((a, b) => a + b, 0);
  const mean = (pick: (p: Prediction) => number) =>
    voters.reduce((sum, p, i) => sum + pick(p) * weights[i]!, 0) / total;
  const point = mean((p) => p.point);
  const originPrice = mean((p) => p.originPrice);
  const confidence = mean((p) => p.confidence);
  const move = point / originPrice - 1;
  const signal: Signal =
    confidence < CONSENSUS_MIN_CONFIDENCE
      ? 'HOLD'
      : move >= CONSENSUS_THRESHOLD
        ? 'BUY'
        : move <= -CONSENSUS_THRESHOLD
          ? 'SELL'
          : 'HOLD';
  return {
    horizonS,
    point,
    lower: mean((p) => p.lower),
    upper: mean((p) => p.upper),
    confidence,
    signal,
    models: voters.length,
    originPrice,
  };
}
