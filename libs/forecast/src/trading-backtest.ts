import { z } from 'zod';
import { BacktestConfigError, DEFAULT_WARMUP } from './backtest.ts';
import { Forecaster, type ForecasterOptions } from './forecaster.ts';
import { formatHorizon } from './horizon.ts';
import { parseModelSpec, type ModelSpec } from './model-spec.ts';
import { SIGNAL_RULE, signalForMove, type Signal, type SignalRule } from './signal.ts';
import {
  TRADING_COSTS,
  checkBars,
  tradeSignals,
  uncheckedFinalEquity,
  type OhlcvBars,
  type TradingCosts,
  type TradingResult,
} from './trading.ts';

export const WALK_FORWARD = z.strictObject({
  /** Rolling: the last `trainBars` before a fold; expanding: every bar from the start. */
  scheme: z.enum(['rolling', 'expanding']),
  /** Training bars before the first fold (and the rolling window's length). */
  trainBars: z.int().min(2).default(2160),
  /** Bars traded with one choice before choosing again. */
  foldBars: z.int().min(1).default(720),
});

export type WalkForward = z.output<typeof WALK_FORWARD>;

/**
 * Signal rules a walk-forward fold chooses among. Thresholds bracket a round trip's fees;
 * confidences span "any call" to the ~60 % the models reach on hourly data.
 */
export const RULE_GRID: readonly SignalRule[] = [0, 0.001, 0.002, 0.005].flatMap((threshold) =>
  [0, 0.52, 0.55, 0.6].map((minConfidence) => ({ threshold, minConfidence })),
);

export interface TradingBacktestOptions {
  models: readonly (ModelSpec | string)[];
  /** Horizons in bars (hours on hourly data). */
  horizons: readonly number[];
  /** First bar a signal may be decided at; every model must be able to forecast from there. */
  warmup?: number;
  /** Trade only bars whose time is in [from, to) (epoch ms). */
  from?: number;
  to?: number;
  /** The signal rule when not walking forward. */
  rule?: Partial<SignalRule>;
  costs?: Partial<TradingCosts>;
  coinFlipRuns?: number;
  seed?: number;
  walkForward?: z.input<typeof WALK_FORWARD>;
  forecaster?: ForecasterOptions;
}

/** What one walk-forward fold chose, on which bars, and what it then traded. */
export interface FoldChoice {
  /** Epoch ms: training bars are [trainFrom, trainTo); traded bars from trainTo to testLast. */
  trainFrom: number;
  trainTo: number;
  /** Open time of the fold's last bar (JSON has no Infinity for 'to the end'). */
  testLast: number;
  rule: SignalRule;
  /** The chosen rule's return on its own training bars (in-sample: never reported as a result). */
  trainReturn: number;
}

export interface TradingBacktestRow {
  model: string;
  horizon: string;
  /** The rule traded; null when each walk-forward fold chose its own (see `folds`). */
  rule: SignalRule | null;
  folds: FoldChoice[] | null;
  result: TradingResult;
}

export interface TradingBacktestReport {
  /** Epoch ms of the first and last traded bar. */
  from: number;
  to: number;
  walkForward: WalkForward | null;
  /** Steps between bars longer than the usual spacing, and the bars missing in them. */
  gaps: { count: number; missingBars: number };
  rows: TradingBacktestRow[];
}

/**
 * Forecasts every bar with each model × horizon (a Forecaster sees closes up to the bar only),
 * turns forecasts into signals with `signalForMove`, and trades them with `tradeSignals`. A
 * position follows the latest BUY/SELL: a 6 h forecast's signal is acted on at the next open and
 * held until a later signal says otherwise, not closed after 6 bars.
 *
 * With `walkForward`, the bars after the first `trainBars` are cut into folds of `foldBars`; each
 * fold's rule is the one in RULE_GRID with the best final equity on the training bars just before
 * the fold (trades filled inside those bars only), and it is traded on the fold alone. The
 * folds' signals are then traded as one series, so what is reported never includes a bar that
 * took part in choosing the rule traded on it.
 */
export function runTradingBacktest(
  bars: OhlcvBars,
  options: TradingBacktestOptions,
): TradingBacktestReport {
  const warmup = options.warmup ?? DEFAULT_WARMUP;
  if (!Number.isSafeInteger(warmup) || warmup < 0) {
    throw new BacktestConfigError(`warmup must be a whole number of bars ≥ 0, got ${warmup}`);
  }
  checkBars(bars);
  const costs = TRADING_COSTS.parse(options.costs ?? {});
  const rule = SIGNAL_RULE.parse(options.rule ?? {});
  const walkForward = options.walkForward ? WALK_FORWARD.parse(options.walkForward) : null;
  const specs = options.models.map((model) =>
    typeof model === 'string' ? parseModelSpec(model) : model,
  );
  const { start, end } = window(bars.times, warmup, options.from, options.to);
  const folds = walkForward ? foldBounds(start, end, walkForward) : null;
  const tradedFrom = folds ? folds[0]!.test : start;
  if (end - tradedFrom < 2) {
    throw new BacktestConfigError(
      `only ${Math.max(0, end - tradedFrom)} bars to trade after warmup${walkForward ? ' and the first training window' : ''}; need at least 2`,
    );
  }

  const rows: TradingBacktestRow[] = [];
  for (const hours of [...new Set(options.horizons)]) {
    if (!Number.isSafeInteger(hours) || hours < 1) {
      throw new BacktestConfigError(`horizon must be a whole number of bars ≥ 1, got ${hours}`);
    }
    for (const spec of specs) {
      const calls = forecastCalls(bars.closes, spec, hours, warmup, options.forecaster);
      const traded = slice(bars, tradedFrom, end);
      const base = { model: spec.text, horizon: formatHorizon(hours) };
      const trade = (signals: (Signal | null)[]) =>
        tradeSignals(traded, signals, {
          ...costs,
          coinFlipRuns: options.coinFlipRuns,
          seed: options.seed,
        });
      if (!folds) {
        const signals = signalsFor(calls, rule, tradedFrom, end);
        rows.push({ ...base, rule, folds: null, result: trade(signals) });
        continue;
      }
      const signals: (Signal | null)[] = [];
      const choices: FoldChoice[] = [];
      for (const fold of folds) {
        const choice = chooseRule(bars, calls, costs, fold.train, fold.test);
        signals.push(...signalsFor(calls, choice.rule, fold.test, fold.end));
        choices.push({
          trainFrom: bars.times[fold.train]!,
          trainTo: bars.times[fold.test]!,
          testLast: bars.times[fold.end - 1]!,
          ...choice,
        });
      }
      rows.push({ ...base, rule: null, folds: choices, result: trade(signals) });
    }
  }
  return {
    from: bars.times[tradedFrom]!,
    to: bars.times[end - 1]!,
    walkForward,
    gaps: countGaps(bars.times, tradedFrom, end),
    rows,
  };
}

/** Expected move (point / last − 1) and confidence per bar; NaN before the model forecasts. */
interface Calls {
  moves: Float64Array;
  confidences: Float64Array;
}

function forecastCalls(
  closes: ArrayLike<number>,
  spec: ModelSpec,
  horizon: number,
  warmup: number,
  options: ForecasterOptions | undefined,
): Calls {
  const forecaster = Forecaster.fromSpec(spec, horizon, options);
  if (forecaster.lookback > warmup + 1) {
    throw new BacktestConfigError(
      `${spec.text}: needs ${forecaster.lookback} closes of history, so warmup must be ≥ ${forecaster.lookback - 1} (got ${warmup})`,
    );
  }
  const moves = new Float64Array(closes.length).fill(Number.NaN);
  const confidences = new Float64Array(closes.length).fill(Number.NaN);
  for (let i = 0; i < closes.length; i++) {
    forecaster.push(closes[i]!);
    if (i < warmup) continue;
    const forecast = forecaster.forecast();
    if (forecast.kind !== 'forecast') continue;
    moves[i] = forecast.point / forecast.last - 1;
    confidences[i] = forecast.confidence;
  }
  return { moves, confidences };
}

function signalsFor(calls: Calls, rule: SignalRule, from: number, to: number): (Signal | null)[] {
  const signals: (Signal | null)[] = [];
  for (let i = from; i < to; i++) {
    const move = calls.moves[i]!;
    signals.push(Number.isNaN(move) ? null : signalForMove(move, calls.confidences[i]!, rule));
  }
  return signals;
}

function chooseRule(
  bars: OhlcvBars,
  calls: Calls,
  costs: TradingCosts,
  trainFrom: number,
  trainTo: number,
): { rule: SignalRule; trainReturn: number } {
  const training = slice(bars, trainFrom, trainTo);
  let best = { rule: RULE_GRID[0]!, trainReturn: -Infinity };
  for (const rule of RULE_GRID) {
    const trainReturn =
      uncheckedFinalEquity(training, signalsFor(calls, rule, trainFrom, trainTo), costs) - 1;
    // Ties go to the earlier, i.e. less demanding, rule.
    if (trainReturn > best.trainReturn) best = { rule, trainReturn };
  }
  return best;
}

interface Fold {
  train: number;
  test: number;
  end: number;
}

function foldBounds(start: number, end: number, walkForward: WalkForward): Fold[] {
  const { scheme, trainBars, foldBars } = walkForward;
  const folds: Fold[] = [];
  for (let test = start + trainBars; test < end; test += foldBars) {
    const train = scheme === 'rolling' ? test - trainBars : start;
    folds.push({ train, test, end: Math.min(end, test + foldBars) });
  }
  if (folds.length === 0) {
    throw new BacktestConfigError(
      `walk-forward needs more than ${trainBars} training bars after warmup; only ${end - start} are there`,
    );
  }
  return folds;
}

/** Bar indexes [start, end) at/after warmup and inside [from, to). */
function window(
  times: ArrayLike<number>,
  warmup: number,
  from = -Infinity,
  to = Infinity,
): { start: number; end: number } {
  let start = warmup;
  while (start < times.length && times[start]! < from) start++;
  let end = times.length;
  while (end > start && times[end - 1]! >= to) end--;
  return { start, end };
}

function slice(bars: OhlcvBars, from: number, to: number): OhlcvBars {
  const cut = (values: ArrayLike<number>) =>
    Array.prototype.slice.call(values, from, to) as number[];
  return {
    times: cut(bars.times),
    opens: cut(bars.opens),
    highs: cut(bars.highs),
    lows: cut(bars.lows),
    closes: cut(bars.closes),
  };
}

/** Steps longer than the most common (median) spacing: a fill across one waits for the next bar. */
export function countGaps(
  times: ArrayLike<number>,
  from = 0,
  to = times.length,
): { count: number; missingBars: number } {
  const steps: number[] = [];
  for (let i = from + 1; i < to; i++) steps.push(times[i]! - times[i - 1]!);
  if (steps.length === 0) return { count: 0, missingBars: 0 };
  const usual = [...steps].sort((a, b) => a - b)[steps.length >> 1]!;
  let count = 0;
  let missingBars = 0;
  for (const step of steps) {
    if (step > usual) {
      count++;
      missingBars += Math.round(step / usual) - 1;
    }
  }
  return { count, missingBars };
}
