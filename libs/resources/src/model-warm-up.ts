import { barsNeeded } from '@cryptoviz/forecast/forecaster';
import { modelSpecFrom, type ModelSpec } from '@cryptoviz/forecast/model-spec';
import { parseDuration } from './duration.ts';
import type { PredictionModelSpec } from './prediction-model.ts';

/** A PredictionModel's algorithm, parameters and members as the forecasting library's spec. */
export function toModelSpec(spec: PredictionModelSpec): ModelSpec {
  return modelSpecFrom(spec);
}

/**
 * Bars of `spec.interval` a new model needs before its first forecast at every horizon: its
 * window plus the residuals its interval rests on (the forecasting library's own count).
 */
export function warmUpBars(spec: PredictionModelSpec): number {
  const barMs = parseDuration(spec.interval);
  return barsNeeded(toModelSpec(spec), barMs, spec.horizons.map(parseDuration));
}
