export { MODEL_NAMES, MODEL_PARAMS, type ModelName, type ModelParams } from './model-params.ts';
export {
  ModelSpecError,
  describeParameters,
  isModelName,
  modelSpecFrom,
  parseModelList,
  parseModelSpec,
  planConsensus,
  type ConsensusPlan,
  type DeclaredMember,
  type DeclaredModel,
  type MemberSpec,
  type ModelSpec,
} from './model-spec.ts';
export type { PointModel } from './point-model.ts';
export { createPointModel } from './create-model.ts';
export {
  FORECASTER_DEFAULTS,
  Forecaster,
  barsNeeded,
  barsRemembered,
  forecastSeries,
  type Forecast,
  type ForecastResult,
  type ForecasterOptions,
  type NotEnoughData,
} from './forecaster.ts';
export {
  DEFAULT_SIGNAL_RULE,
  SIGNAL_RULE,
  signalFor,
  signalForMove,
  type Signal,
  type SignalRule,
} from './signal.ts';
export {
  NO_SCORES,
  poolScores,
  ScoreAccumulator,
  scoreMetricsSchema,
  skillOf,
  type ScoreMetrics,
} from './metrics.ts';
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
export {
  DM_DEFAULT_ALPHA,
  DM_MIN_PAIRS,
  dieboldMariano,
  type DieboldMariano,
} from './significance.ts';
export { SKILL_VERDICT_TEXT, type SkillVerdict } from './verdicts.ts';
export {
  RELIABILITY_BINS,
  reliability,
  type Reliability,
  type ReliabilityBin,
} from './calibration.ts';
export {
  TRADING_COSTS,
  TradingInputError,
  finalEquity,
  tradeSignals,
  type CoinFlipComparison,
  type OhlcvBars,
  type TradeOptions,
  type TradingCosts,
  type TradingMetrics,
  type TradingResult,
} from './trading.ts';
export {
  RULE_GRID,
  WALK_FORWARD,
  countGaps,
  runTradingBacktest,
  type FoldChoice,
  type TradingBacktestOptions,
  type TradingBacktestReport,
  type TradingBacktestRow,
  type WalkForward,
} from './trading-backtest.ts';
