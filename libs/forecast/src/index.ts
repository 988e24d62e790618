export { MODEL_NAMES, MODEL_PARAMS, type ModelName, type ModelParams } from './model-params.ts';
export {
  ModelSpecError,
  describeParameters,
  isModelName,
  parseModelList,
  parseModelSpec,
  planConsensus,
  type ConsensusPlan,
  type ModelSpec,
} from './model-spec.ts';
export type { PointModel } from './point-model.ts';
export { createPointModel } from './create-model.ts';
export {
  FORECASTER_DEFAULTS,
  Forecaster,
  forecastSeries,
  type Forecast,
  type ForecastResult,
  type ForecasterOptions,
  type NotEnoughData,
} from './forecaster.ts';
export { SIGNAL_RULE, signalFor, type Signal, type SignalRule } from './signal.ts';
export { ScoreAccumulator, type ScoreMetrics } from './metrics.ts';
export { formatHorizon, parseHorizon } from './horizon.ts';
export {
  BacktestConfigError,
  DEFAULT_WARMUP,
  runBacktest,
  type BacktestMetrics,
  type BacktestOptions,
  type BacktestReport,
  type BacktestSeries,
} from './backtest.ts';
export { RingBuffer } from './ring-buffer.ts';
export { SortedWindow } from './sorted-window.ts';
export {
  predictionRecordSchema,
  predictionId,
  type PredictionRecord,
} from './prediction-record.ts';
