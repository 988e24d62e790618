import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { z } from 'zod';
import type { Signal } from './signal.ts';

/** Bars as parallel arrays, oldest first. */
export interface OhlcvBars {
  /** Open time, epoch ms, strictly increasing. */
  times: ArrayLike<number>;
  opens: ArrayLike<number>;
  highs: ArrayLike<number>;
  lows: ArrayLike<number>;
  closes: ArrayLike<number>;
}

export const TRADING_COSTS = z.strictObject({
  feeRate: z
    .number()
    .min(0)
    .max(0.1)
    // Binance spot's taker fee.
    .default(0.001)
    .describe('fee per side, fraction of the traded notional'),
  slippageRate: z
    .number()
    .min(0)
    .max(0.1)
    .default(0)
    .describe('fill price worse than the open by this fraction (buys higher, sells lower)'),
  allowShort: z.boolean().default(false).describe('SELL goes short instead of flat'),
});

export type TradingCosts = z.output<typeof TRADING_COSTS>;

const TRADE_OPTIONS = TRADING_COSTS.extend({
  coinFlipRuns: z.int().min(1).max(1_000_000).default(1000),
  seed: z.int().min(0).max(0xffff_ffff).default(1),
});

export type TradeOptions = z.input<typeof TRADE_OPTIONS>;

export interface TradingMetrics {
  totalReturn: number;
  /** (1 + total)^(year / span) − 1, span = first to last bar's time; null for a zero span. */
  annualisedReturn: number | null;
  /** Per-bar returns, mean / sd · √(bars a year), risk-free rate 0; null if sd is 0. */
  sharpe: number | null;
  /** Like sharpe with the downside deviation √mean(min(r, 0)²) instead of sd. */
  sortino: number | null;
  /** Largest fall from a running peak of the equity at closes, a fraction of that peak. */
  maxDrawdown: number;
  /** Longest time spent below a previous peak (until recovered, or until the last bar). */
  maxDrawdownDurationMs: number;
  /** Positions opened (a long → short switch opens one). */
  trades: number;
  /** Share of trades whose return after costs was > 0; null without trades. */
  winRate: number | null;
  /** Share of bars 1..n−1 spent in a position (bar 0 can hold nothing: no signal came before it). */
  exposure: number;
  averageTradeReturn: number | null;
  /** Fees paid, a fraction of the starting equity. */
  feesPaid: number;
}

export interface CoinFlipComparison {
  runs: number;
  seed: number;
  meanTotalReturn: number;
  /** (1 + runs whose total return ≥ the strategy's) / (1 + runs). */
  pValue: number;
}

export interface TradingResult {
  bars: number;
  costs: TradingCosts;
  strategy: TradingMetrics;
  buyAndHold: TradingMetrics;
  coinFlip: CoinFlipComparison;
  /** Equity at each bar's close, starting at 1. */
  equity: { times: number[]; strategy: number[]; buyAndHold: number[] };
}

export class TradingInputError extends Error {
  override name = 'TradingInputError';
}

const YEAR_MS = 365.25 * 86_400_000; // crypto trades every day of the year

/**
 * Trades `signals` on `bars`. signals[i] is decided at bar i's close and filled at bar i+1's open
 * (so a signal can never trade at the close it was computed from): BUY → long, SELL → flat (short
 * when `allowShort`), HOLD or null → keep the position. A position is all the equity; a fill pays
 * `slippageRate` on the price and `feeRate` on the traded notional, each side. A position still
 * open at the end is marked at the last close, without exit costs; buy-and-hold buys at bar 1's
 * open and is marked the same way, so both pay the same fees for the same trades.
 *
 * The coin flip is the strategy's own position path shifted circularly by a random number of bars
 * (seeded): the same exposure, holding periods and, but for the wrap, trades — only the timing is
 * random. Its p-value is the share of such runs that did at least as well as the strategy.
 */
export function tradeSignals(
  bars: OhlcvBars,
  signals: ArrayLike<Signal | null>,
  options: Partial<TradingCosts> & { coinFlipRuns?: number; seed?: number } = {},
): TradingResult {
  const { coinFlipRuns, seed, ...costs } = parseOptions(options);
  checkBars(bars, signals.length);
  const n = bars.closes.length;
  const path = positionPath(signals, costs.allowShort);
  const held = segments(path);

  const strategyMarks = new Float64Array(n);
  const strategyBook = new Book(bars, costs, strategyMarks, []);
  for (const [position, length] of held) strategyBook.hold(position, length);
  const strategyEquity = strategyBook.finish();

  const holdMarks = new Float64Array(n);
  const holdBook = new Book(bars, costs, holdMarks, []);
  holdBook.hold(1, n - 1);
  holdBook.finish();

  return {
    bars: n,
    costs,
    strategy: metrics(bars, strategyMarks, strategyBook, countHeld(path)),
    buyAndHold: metrics(bars, holdMarks, holdBook, n - 1),
    coinFlip: coinFlip(bars, costs, held, strategyEquity, coinFlipRuns, seed),
    equity: {
      times: Array.from(bars.times),
      strategy: Array.from(strategyMarks),
      buyAndHold: Array.from(holdMarks),
    },
  };
}

/** Final equity (start 1) of trading `signals` on `bars`: no curve, no baselines — for tuning. */
export function finalEquity(
  bars: OhlcvBars,
  signals: ArrayLike<Signal | null>,
  costs: TradingCosts,
): number {
  checkBars(bars, signals.length);
  return uncheckedFinalEquity(bars, signals, costs);
}

/** finalEquity for bars already checked (walk-forward scores many rules on the same bars). */
export function uncheckedFinalEquity(
  bars: OhlcvBars,
  signals: ArrayLike<Signal | null>,
  costs: TradingCosts,
): number {
  const book = new Book(bars, costs, null, null);
  for (const [position, length] of segments(positionPath(signals, costs.allowShort))) {
    book.hold(position, length);
  }
  return book.finish();
}

function parseOptions(options: TradeOptions): z.output<typeof TRADE_OPTIONS> {
  const parsed = TRADE_OPTIONS.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TradingInputError(`${issue.path.join('.') || 'options'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Throws a TradingInputError naming the first bar that cannot be traded. */
export function checkBars(bars: OhlcvBars, signalCount = bars.closes.length): void {
  const n = bars.closes.length;
  for (const field of ['times', 'opens', 'highs', 'lows'] as const) {
    if (bars[field].length !== n) {
      throw new TradingInputError(`${n} closes but ${bars[field].length} ${field}`);
    }
  }
  if (signalCount !== n) throw new TradingInputError(`${n} bars but ${signalCount} signals`);
  if (n < 2)
    throw new TradingInputError(`need at least 2 bars to trade (a signal and a fill), got ${n}`);
  for (let i = 0; i < n; i++) {
    for (const field of ['opens', 'closes'] as const) {
      const price = bars[field][i]!;
      if (!(price > 0 && Number.isFinite(price))) {
        throw new TradingInputError(`${field}[${i}] must be a finite positive price, got ${price}`);
      }
    }
    if (i > 0 && !(bars.times[i]! > bars.times[i - 1]!)) {
      throw new TradingInputError(`times must be strictly increasing (bar ${i})`);
    }
  }
}

/** Position held during each bar (from its open to the next open): −1, 0 or 1. Bar 0 holds 0. */
function positionPath(signals: ArrayLike<Signal | null>, allowShort: boolean): Int8Array {
  const path = new Int8Array(signals.length);
  for (let i = 1; i < signals.length; i++) {
    const signal = signals[i - 1];
    path[i] = signal === 'BUY' ? 1 : signal === 'SELL' ? (allowShort ? -1 : 0) : path[i - 1]!;
  }
  return path;
}

/** Runs of one position over bars 1..n−1, as [position, length]. */
function segments(path: Int8Array): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 1; i < path.length; i++) {
    const last = runs.at(-1);
    if (last && last[0] === path[i]) last[1]++;
    else runs.push([path[i]!, 1]);
  }
  return runs;
}

function countHeld(path: Int8Array): number {
  let held = 0;
  for (let i = 1; i < path.length; i++) if (path[i] !== 0) held++;
  return held;
}

/**
 * An all-in account walked bar by bar from bar 1. Per unit of equity at entry, a long buys
 * u = 1 / (P(1 + s)(1 + f)) units at open P; a short sells u = 1 / (P(1 − s)(1 + f)) and keeps
 * 2 / (1 + f) in cash. Equity never goes below 0 (a short that lost everything is closed).
 */
class Book {
  /** Equity when flat; equity at entry while in a position. */
  private equity = 1;
  private position = 0;
  private units = 0;
  private bar = 1;
  fees = 0;

  constructor(
    private readonly bars: OhlcvBars,
    private readonly costs: TradingCosts,
    private readonly marks: Float64Array | null,
    /** Each closed (or finally marked) position's return, when wanted. */
    readonly tradeReturns: number[] | null,
  ) {
    if (marks) marks[0] = 1;
  }

  /** Holds `position` for the next `length` bars, trading at the first one's open if it changes. */
  hold(position: number, length: number): void {
    if (position !== this.position) {
      const open = this.bars.opens[this.bar]!;
      if (this.position !== 0) this.exit(open);
      if (position !== 0) this.enter(position, open);
    }
    const marks = this.marks;
    if (marks) {
      const closes = this.bars.closes;
      for (let i = this.bar; i < this.bar + length; i++) marks[i] = this.valueAt(closes[i]!);
    }
    this.bar += length;
  }

  /** Equity at the last close; an open position is marked there without exit costs. */
  finish(): number {
    const value = this.valueAt(this.bars.closes[this.bars.closes.length - 1]!);
    if (this.position !== 0) this.tradeReturns?.push(value / this.equity - 1);
    return value;
  }

  private valueAt(price: number): number {
    if (this.position === 0) return this.equity;
    const value =
      this.position > 0
        ? this.units * price
        : this.equity * (2 / (1 + this.costs.feeRate)) - this.units * price;
    return value > 0 ? value : 0;
  }

  private enter(position: number, open: number): void {
    const { feeRate: f, slippageRate: s } = this.costs;
    const fill = position > 0 ? open * (1 + s) : open * (1 - s);
    this.units = this.equity / (fill * (1 + f));
    this.fees += this.units * fill * f;
    this.position = position;
  }

  private exit(open: number): void {
    const { feeRate: f, slippageRate: s } = this.costs;
    const fill = this.position > 0 ? open * (1 - s) : open * (1 + s);
    const fee = this.units * fill * f;
    const cash =
      this.position > 0
        ? this.units * fill - fee
        : this.equity * (2 / (1 + f)) - this.units * fill - fee;
    const after = cash > 0 ? cash : 0;
    this.fees += fee;
    this.tradeReturns?.push(after / this.equity - 1);
    this.equity = after;
    this.position = 0;
    this.units = 0;
  }
}

function metrics(
  bars: OhlcvBars,
  marks: Float64Array,
  book: Book,
  heldBars: number,
): TradingMetrics {
  const n = marks.length;
  const total = marks[n - 1]! - 1;
  const span = bars.times[n - 1]! - bars.times[0]!;
  const { sharpe, sortino } = ratios(marks, barsPerYear(bars.times));
  const { maxDrawdown, maxDrawdownDurationMs } = drawdown(marks, bars.times);
  const trades = book.tradeReturns ?? [];
  return {
    totalReturn: total,
    annualisedReturn: span > 0 ? Math.pow(1 + total, YEAR_MS / span) - 1 : null,
    sharpe,
    sortino,
    maxDrawdown,
    maxDrawdownDurationMs,
    trades: trades.length,
    winRate: trades.length > 0 ? trades.filter((r) => r > 0).length / trades.length : null,
    exposure: heldBars / (n - 1),
    averageTradeReturn:
      trades.length > 0 ? trades.reduce((sum, r) => sum + r, 0) / trades.length : null,
    feesPaid: book.fees,
  };
}

/** Bars a year from the median spacing of the bars' times, so a gap does not skew it. */
function barsPerYear(times: ArrayLike<number>): number {
  const steps = new Float64Array(times.length - 1);
  for (let i = 1; i < times.length; i++) steps[i - 1] = times[i]! - times[i - 1]!;
  steps.sort();
  return YEAR_MS / steps[steps.length >> 1]!;
}

function ratios(
  marks: Float64Array,
  perYear: number,
): { sharpe: number | null; sortino: number | null } {
  const count = marks.length - 1;
  let sum = 0;
  for (let i = 1; i < marks.length; i++) sum += barReturn(marks, i);
  const mean = sum / count;
  let squares = 0;
  let downside = 0;
  for (let i = 1; i < marks.length; i++) {
    const r = barReturn(marks, i);
    squares += (r - mean) ** 2;
    if (r < 0) downside += r * r;
  }
  const sd = count > 1 ? Math.sqrt(squares / (count - 1)) : 0;
  const downsideDeviation = Math.sqrt(downside / count);
  const scale = Math.sqrt(perYear);
  return {
    sharpe: sd > 0 ? (mean / sd) * scale : null,
    sortino: downsideDeviation > 0 ? (mean / downsideDeviation) * scale : null,
  };
}

function barReturn(marks: Float64Array, i: number): number {
  const before = marks[i - 1]!;
  // A wiped-out account stays at 0: no further return, rather than 0/0.
  return before > 0 ? marks[i]! / before - 1 : 0;
}

function drawdown(
  marks: Float64Array,
  times: ArrayLike<number>,
): { maxDrawdown: number; maxDrawdownDurationMs: number } {
  let peak = marks[0]!;
  let peakTime = times[0]!;
  let maxDrawdown = 0;
  let longest = 0;
  for (let i = 1; i < marks.length; i++) {
    const value = marks[i]!;
    if (value >= peak) {
      peak = value;
      peakTime = times[i]!;
      continue;
    }
    maxDrawdown = Math.max(maxDrawdown, 1 - value / peak);
    longest = Math.max(longest, times[i]! - peakTime);
  }
  return { maxDrawdown, maxDrawdownDurationMs: longest };
}

/**
 * Runs the strategy's runs of positions rotated by a random k in 1..m−1 bars (m = bars 1..n−1):
 * rotated bar j holds what the strategy held at bar 1 + (j − 1 + k) mod m. O(runs) per run.
 */
function coinFlip(
  bars: OhlcvBars,
  costs: TradingCosts,
  held: readonly [number, number][],
  strategyEquity: number,
  runs: number,
  seed: number,
): CoinFlipComparison {
  const m = bars.closes.length - 1;
  const starts = new Int32Array(held.length);
  for (let r = 1; r < held.length; r++) starts[r] = starts[r - 1]! + held[r - 1]![1];
  const rng = xoroshiro128plus(seed);
  let atLeast = 0;
  let sum = 0;
  for (let run = 0; run < runs; run++) {
    const k = m > 1 ? uniformInt(rng, 1, m - 1) : 0;
    // The run holding rotated bar 1, found by binary search over run starts.
    let lo = 0;
    let hi = held.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= k) lo = mid;
      else hi = mid - 1;
    }
    const book = new Book(bars, costs, null, null);
    const cut = k - starts[lo]!;
    book.hold(held[lo]![0], held[lo]![1] - cut);
    for (let r = lo + 1; r < held.length; r++) book.hold(held[r]![0], held[r]![1]);
    for (let r = 0; r < lo; r++) book.hold(held[r]![0], held[r]![1]);
    if (cut > 0) book.hold(held[lo]![0], cut);
    const equity = book.finish();
    sum += equity - 1;
    if (equity >= strategyEquity) atLeast++;
  }
  return { runs, seed, meanTotalReturn: sum / runs, pValue: (1 + atLeast) / (1 + runs) };
}
