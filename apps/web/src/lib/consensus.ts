// The signal module alone: the browser bundle needs the rule, not the forecasting library.
import { DEFAULT_SIGNAL_RULE, signalForMove, type Signal } from '@cryptoviz/forecast/signal';
import type { ApiOutputs } from './api.ts';

type Prediction = ApiOutputs['predictions']['latest'][number];

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
  // Called by the models' own default rule (signalFor), so a consensus and a model agree.
  const signal = signalForMove(point / originPrice - 1, confidence, DEFAULT_SIGNAL_RULE);
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
