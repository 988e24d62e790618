/**
 * A point forecaster for one fixed horizon, fed one close at a time, oldest first. Models are
 * stateful so that each forecast costs O(window) or O(1): the backtest and a live service both
 * push bars as they come instead of handing over the whole history each time.
 */
export interface PointModel {
  /** How many closes it must have seen before `predict()` is meaningful. */
  readonly lookback: number;
  /** Feeds the next close (must be finite and positive). */
  push(close: number): void;
  /** Forecast of the close `horizon` bars after the latest one pushed. */
  predict(): number;
}
