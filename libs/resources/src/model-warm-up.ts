import { barsNeeded, parseModelSpec, type ModelSpec } from '@cryptoviz/forecast';
import { parseDuration } from './duration.ts';
import type { PredictionModelSpec } from './prediction-model.ts';

const paramText = (params: Record<string, number>) =>
  Object.entries(params)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

/** A PredictionModel's algorithm and parameters in the forecasting library's spec language. */
export function toModelSpec(spec: PredictionModelSpec): ModelSpec {
  if (spec.algorithm !== 'consensus') {
    const params = paramText(spec.params);
    return parseModelSpec(params ? `${spec.algorithm}:${params}` : spec.algorithm);
  }
  const members = spec.members ?? [];
  const memberText = members
    .map((m) =>
      Object.keys(m.params).length ? `${m.algorithm}(${paramText(m.params)})` : m.algorithm,
    )
    .join('+');
  const weighted = members.every((m) => m.weight !== undefined);
  const weights = weighted ? members.map((m) => m.weight).join('+') : 'inverseMae';
  return parseModelSpec(`consensus:members=${memberText},weights=${weights}`);
}

/**
 * Bars of `spec.interval` a new model needs before its first forecast at every horizon: its
 * window plus the residuals its interval rests on (the forecasting library's own count).
 */
export function warmUpBars(spec: PredictionModelSpec): number {
  const barMs = parseDuration(spec.interval);
  return barsNeeded(toModelSpec(spec), barMs, spec.horizons.map(parseDuration));
}
