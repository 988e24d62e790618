import { writeFile } from 'node:fs/promises';
import {
  SIGNAL_RULE,
  runTradingBacktest,
  type ModelSpec,
  type TradingBacktestReport,
  type TradingMetrics,
  type WalkForward,
} from '@cryptoviz/forecast';
import type { Bar } from '@cryptoviz/market';

/** The `--strategy` flags, as commander hands them over. */
export interface StrategyFlags {
  fee: string;
  slippage: string;
  short?: boolean;
  coinFlips: string;
  seed: string;
  walkForward?: string;
  fold: string;
  threshold?: string;
  minConfidence?: string;
  equity?: string;
  json?: boolean;
}

/** A flag's value the strategy backtest cannot use; a RangeError, so the CLI exits 2. */
export class StrategyFlagError extends RangeError {
  override name = 'StrategyFlagError';
}

export const STRATEGY_OPTION_HELP = {
  strategy:
    'trade each model’s BUY/SELL/HOLD signals (fills at the next bar’s open) and report returns',
  fee: 'fee per side: a percentage (0.1%) or a fraction (0.001), 0–10 %',
  slippage: 'fill price worse than the open by this much, per side: 0.05% or 0.0005, 0–10 %',
  short: 'SELL goes short instead of flat',
  coinFlips: 'coin-flip runs (same exposure, random timing) behind the p-value',
  seed: 'seed of the coin flips',
  walkForward:
    'choose the signal rule per fold on the bars before it only: rolling:<bars> or expanding[:<bars>] (first training window, default 2160)',
  fold: 'bars traded per walk-forward fold',
  threshold: 'signal rule: minimum expected move, a fraction (default 0.002)',
  minConfidence: 'signal rule: minimum confidence, 0–1 (default 0.7)',
  equity: 'write the equity curves (buy-and-hold and each model × horizon) to this CSV file',
};

interface StrategyRun {
  path: string;
  bars: readonly Bar[];
  models: ModelSpec[];
  horizons: number[];
  warmup: number;
  from?: number;
  to?: number;
}

/** Runs the trading backtest and returns what to print; writes `--equity` when asked. */
export async function strategyBacktest(run: StrategyRun, flags: StrategyFlags): Promise<string> {
  const costs = {
    feeRate: parseRate(flags.fee, '--fee'),
    slippageRate: parseRate(flags.slippage, '--slippage'),
    allowShort: flags.short === true,
  };
  const coinFlipRuns = parseCount(flags.coinFlips, '--coin-flips', 1, 1_000_000);
  const seed = parseCount(flags.seed, '--seed', 0, 0xffff_ffff);
  const walkForward =
    flags.walkForward === undefined
      ? undefined
      : parseWalkForward(flags.walkForward, parseCount(flags.fold, '--fold', 1, 10_000_000));
  const rule = parseRule(flags);
  const { bars } = run;
  const report = runTradingBacktest(
    {
      times: bars.map((bar) => bar.time),
      opens: bars.map((bar) => bar.open),
      highs: bars.map((bar) => bar.high),
      lows: bars.map((bar) => bar.low),
      closes: bars.map((bar) => bar.close),
    },
    {
      models: run.models,
      horizons: run.horizons,
      warmup: run.warmup,
      from: run.from,
      to: run.to,
      rule,
      costs,
      coinFlipRuns,
      seed,
      walkForward,
    },
  );
  if (flags.equity) await writeFile(flags.equity, equityCsv(report));
  return flags.json
    ? `${JSON.stringify(withoutCurves(report, run.path), null, 2)}\n`
    : renderStrategy(report, run.path);
}

/** Flags that mean nothing without --strategy (and have no default) are refused, not ignored. */
export function requireNoStrategyFlags(flags: Partial<StrategyFlags>): void {
  const given = (
    [
      ['--short', flags.short],
      ['--walk-forward', flags.walkForward],
      ['--threshold', flags.threshold],
      ['--min-confidence', flags.minConfidence],
      ['--equity', flags.equity],
    ] as const
  ).find(([, value]) => value !== undefined);
  if (given) throw new StrategyFlagError(`${given[0]} only applies with --strategy`);
}

/** `0.1%` → 0.001, `0.001` → 0.001; anything outside [0, 10 %] names the flag. */
export function parseRate(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(%?)\s*$/.exec(text);
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new StrategyFlagError(
      `invalid ${flag} "${text}": expected a percentage like 0.1% or a fraction like 0.001`,
    );
  }
  if (value > 0.1) {
    throw new StrategyFlagError(
      `invalid ${flag} "${text}": must be between 0 and 10 % (a fraction 0–0.1)`,
    );
  }
  return value;
}

function parseCount(text: string, flag: string, min: number, max: number): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(value) && value >= min && value <= max)) {
    throw new StrategyFlagError(
      `invalid ${flag} "${text}": expected a whole number ${min}..${max}`,
    );
  }
  return value;
}

function parseWalkForward(text: string, foldBars: number): WalkForward {
  const match = /^(rolling|expanding)(?::(\d+))?$/.exec(text.trim());
  if (!match || (match[1] === 'rolling' && match[2] === undefined)) {
    throw new StrategyFlagError(
      `invalid --walk-forward "${text}": expected rolling:<bars> or expanding[:<bars>]`,
    );
  }
  const trainBars = match[2] === undefined ? 2160 : Number(match[2]);
  if (!(Number.isSafeInteger(trainBars) && trainBars >= 2)) {
    throw new StrategyFlagError(
      `invalid --walk-forward "${text}": the training window needs at least 2 bars`,
    );
  }
  return { scheme: match[1] as WalkForward['scheme'], trainBars, foldBars };
}

function parseRule(flags: StrategyFlags): { threshold: number; minConfidence: number } {
  const parsed = SIGNAL_RULE.safeParse({
    ...(flags.threshold === undefined ? {} : { threshold: flags.threshold }),
    ...(flags.minConfidence === undefined ? {} : { minConfidence: flags.minConfidence }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = issue.path[0] === 'threshold' ? '--threshold' : '--min-confidence';
    throw new StrategyFlagError(`invalid ${flag}: ${issue.message}`);
  }
  return parsed.data;
}

/** JSON without the per-bar curves (tens of thousands of numbers each): `--equity` has them. */
function withoutCurves(report: TradingBacktestReport, path: string): object {
  return {
    file: path,
    ...report,
    rows: report.rows.map(({ result, ...row }) => {
      const { equity: _curves, ...figures } = result;
      return { ...row, result: figures };
    }),
  };
}

function equityCsv(report: TradingBacktestReport): string {
  const first = report.rows[0]!.result.equity;
  const header = ['time', 'buyAndHold', ...report.rows.map((row) => `${row.model}@${row.horizon}`)];
  const lines = first.times.map((time, i) =>
    [
      new Date(time).toISOString(),
      first.buyAndHold[i]!.toFixed(6),
      ...report.rows.map((row) => row.result.equity.strategy[i]!.toFixed(6)),
    ]
      .map(csvField)
      .join(','),
  );
  return `${[header.map(csvField).join(','), ...lines].join('\n')}\n`;
}

/** Model specs hold commas (movingAverage:window=20,…), so such a field is quoted. */
function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const COLUMNS = [
  'model',
  'h',
  'return %',
  'annual %',
  'Sharpe',
  'Sortino',
  'max DD %',
  'DD days',
  'trades',
  'win %',
  'exposure %',
  'avg trade %',
  'fees %',
  'coin-flip p',
  'equity',
];

function renderStrategy(report: TradingBacktestReport, path: string): string {
  const holdRow = report.rows[0]!.result;
  const rows = [
    ['buy-and-hold', '', ...figures(holdRow.buyAndHold), '', sparkline(holdRow.equity.buyAndHold)],
    ...report.rows.map((row) => [
      row.model,
      row.horizon,
      ...figures(row.result.strategy),
      row.result.coinFlip.pValue.toFixed(3),
      sparkline(row.result.equity.strategy),
    ]),
  ];
  const widths = COLUMNS.map((title, c) =>
    Math.max(title.length, ...rows.map((row) => row[c]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, c) =>
        c < 2 || c === cells.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
      )
      .join('  ')
      .trimEnd();
  const { costs, coinFlip } = holdRow;
  const first = report.rows[0]!;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  const heading = [
    `${path}: ${holdRow.bars} bars traded, ${iso(report.from)} → ${iso(report.to)} UTC` +
      (report.gaps.count > 0
        ? `; ${report.gaps.count} gaps (${report.gaps.missingBars} bars missing): a fill due in a gap happens at the next bar's open`
        : '; no gaps'),
    `costs: fee ${pct(costs.feeRate, 3)} % a side, slippage ${pct(costs.slippageRate, 3)} %, ${costs.allowShort ? 'SELL goes short' : 'long only (SELL = flat)'}`,
    report.walkForward
      ? `walk-forward ${report.walkForward.scheme} (training ${report.walkForward.trainBars} bars${report.walkForward.scheme === 'expanding' ? ' at first' : ''}, folds of ${report.walkForward.foldBars}): each fold's signal rule chosen on the bars before it (--json lists the choices)`
      : `signal rule: threshold ${first.rule!.threshold}, min confidence ${first.rule!.minConfidence}`,
  ];
  const notes = [
    `Fills at the next bar's open; equity marked at closes, starting at 1. Sharpe/Sortino from per-bar returns, annualised by the bars' median spacing, risk-free 0.`,
    `coin-flip p: share of ${coinFlip.runs} runs (seed ${coinFlip.seed}) of the same positions at random timing that returned at least as much (+1 smoothing).`,
  ];
  return `${heading.join('\n')}\n\n${[line(COLUMNS), ...rows.map(line)].join('\n')}\n\n${notes.join('\n')}\n`;
}

function figures(m: TradingMetrics): string[] {
  const fixed = (value: number | null, digits: number) =>
    value === null ? '—' : value.toFixed(digits);
  return [
    pct(m.totalReturn, 2),
    m.annualisedReturn === null ? '—' : pct(m.annualisedReturn, 2),
    fixed(m.sharpe, 2),
    fixed(m.sortino, 2),
    pct(m.maxDrawdown, 2),
    (m.maxDrawdownDurationMs / 86_400_000).toFixed(1),
    String(m.trades),
    m.winRate === null ? '—' : pct(m.winRate, 1),
    pct(m.exposure, 1),
    m.averageTradeReturn === null ? '—' : pct(m.averageTradeReturn, 3),
    pct(m.feesPaid, 3),
  ];
}

/** Fractions are stored; percentages only when printed. */
function pct(fraction: number, digits: number): string {
  return (100 * fraction).toFixed(digits);
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/** The curve in 24 characters: each the last value of its stretch, scaled min → max. */
function sparkline(values: readonly number[], width = 24): string {
  const points = Array.from(
    { length: Math.min(width, values.length) },
    (_, k) =>
      values[
        Math.max(0, Math.round(((k + 1) * values.length) / Math.min(width, values.length)) - 1)
      ]!,
  );
  const low = Math.min(...points);
  const high = Math.max(...points);
  return points
    .map(
      (value) =>
        BLOCKS[high > low ? Math.round(((value - low) / (high - low)) * (BLOCKS.length - 1)) : 0],
    )
    .join('');
}
