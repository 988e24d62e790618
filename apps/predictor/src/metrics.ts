import { Counter, Gauge, type Registry } from '@cryptoviz/runtime';

export type PredictorMetrics = ReturnType<typeof predictorMetrics>;

export function predictorMetrics(registry: Registry) {
  return {
    predictions: new Counter({
      name: 'cryptoviz_predictor_predictions_total',
      help: 'Forecasts made and published (re-forecasts of stored bars at start are not counted)',
      labelNames: ['model'],
      registers: [registry],
    }),
    scored: new Counter({
      name: 'cryptoviz_predictor_scored_total',
      help: 'Forecasts scored against the realized price',
      labelNames: ['model'],
      registers: [registry],
    }),
    skill: new Gauge({
      name: 'cryptoviz_predictor_skill',
      help: 'Live skill versus naive (1 − MAE/MAE_naive) over recent forecasts',
      labelNames: ['model', 'source', 'symbol', 'horizon_s'],
      registers: [registry],
    }),
  };
}
