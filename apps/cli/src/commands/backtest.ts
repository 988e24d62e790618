import type { Command } from 'commander';
import {
  DEFAULT_WARMUP,
  MODEL_NAMES,
  formatHorizon,
  parseHorizon,
  parseModelList,
  runBacktest,
  SKILL_VERDICT_TEXT,
  type BacktestMetrics,
  type BacktestReport,
} from '@cryptoviz/forecast';
import { readOhlcvCsv, type Bar } from '@cryptoviz/market';
import { MODEL_LIST_HELP } from './backtest-models.ts';
import {
  STRATEGY_OPTION_HELP as STRATEGY,
  requireNoStrategyFlags,
  strategyBacktest,
  type StrategyFlags,
} from './backtest-strategy.ts';

interface BacktestFlags extends Partial<StrategyFlags> {
  strategy?: boolean;
  data?: string;
  models?: string[];
  horizons: string;
  warmup: string;
  from?: string;
  to?: string;
  json?: boolean;
  listModels?: boolean;
}

/** A mistake in how the command was called (exit 2), as opposed to bad data (exit 1). */
class UsageError extends Error {}

export function register(program: Command): void {
  program
    .command('backtest')
    .description('walk-forward backtest of forecasting models on an hourly OHLCV CSV')
    .option('--data <csv>', 'OHLCV CSV: time,open,high,low,close,volume (ISO-8601 UTC, sorted)')
    .option('--models <specs...>', MODEL_LIST_HELP)
    .option('--horizons <list>', 'comma-separated horizons in hours', '1h,6h')
    .option('--warmup <bars>', 'first forecast origin (bar index)', String(DEFAULT_WARMUP))
    .option('--from <when>', 'score only origins at/after this ISO time or N% of the bars')
    .option('--to <when>', 'score only targets before this ISO time or N% of the bars')
    .option('--json', 'print JSON: model → horizon → metrics')
    .option('--list-models', 'print the model names, one a line')
    .option('--strategy', STRATEGY.strategy)
    .option('--fee <rate>', STRATEGY.fee, '0.1%')
    .option('--slippage <rate>', STRATEGY.slippage, '0')
    .option('--short', STRATEGY.short)
    .option('--coin-flips <runs>', STRATEGY.coinFlips, '1000')
    .option('--seed <n>', STRATEGY.seed, '1')
    .option('--walk-forward <scheme>', STRATEGY.walkForward)
    .option('--fold <bars>', STRATEGY.fold, '720')
    .option('--threshold <fraction>', STRATEGY.threshold)
    .option('--min-confidence <fraction>', STRATEGY.minConfidence)
    .option('--equity <file.csv>', STRATEGY.equity)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  cryptoviz backtest --data data/market/binance-btcusdt-1h.csv --json\n' +
        '  cryptoviz backtest --data btc.csv --models naive,movingAverage:window=20,ridge --from 80%\n' +
        '  cryptoviz backtest --data btc.csv --models holt:alpha=0.5,beta=0.2,ewma:alpha=0.1\n' +
        '  cryptoviz backtest --data btc.csv --models "consensus:weights=inverseMae;holt:alpha=0.5"\n' +
        '  cryptoviz backtest --data btc.csv --strategy --fee 0.1% --min-confidence 0.55 --equity equity.csv\n' +
        '  cryptoviz backtest --data btc.csv --strategy --walk-forward rolling:2160 --fold 720 --json',
    )
    .action(async (flags: BacktestFlags) => {
      try {
        await backtest(flags);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        process.stderr.write(`cryptoviz backtest: ${message}\n`);
        process.exitCode = isUsageError(err) ? 2 : 1;
      }
    });
}

async function backtest(flags: BacktestFlags): Promise<void> {
  if (flags.listModels) {
    process.stdout.write(`${MODEL_NAMES.join('\n')}\n`);
    return;
  }
  if (!flags.data) throw new UsageError('--data <csv> is required');
  if (!flags.strategy) requireNoStrategyFlags(flags);
  // Validate everything the user typed before spending time on the file.
  const models = parseModelList(flags.models ?? MODEL_NAMES);
  // A horizon named twice is scored once, as a model named twice is.
  const horizons = [
    ...new Set(
      flags.horizons
        .split(',')
        .filter((text) => text.trim() !== '')
        .map(parseHorizon),
    ),
  ];
  if (horizons.length === 0) throw new UsageError('--horizons is empty');
  const warmup = parseWarmup(flags.warmup);

  const bars = await readBars(flags.data);
  requireEnoughBars(flags.data, bars.length, warmup, horizons);
  const from = flags.from === undefined ? undefined : resolveTime(flags.from, bars, '--from');
  const to = flags.to === undefined ? undefined : resolveTime(flags.to, bars, '--to');
  if (from !== undefined && to !== undefined && from >= to) {
    throw new UsageError(`--from ${flags.from} is not before --to ${flags.to}`);
  }
  if (flags.strategy) {
    const strategy = flags as BacktestFlags & StrategyFlags; // commander filled the defaults
    const run = { path: flags.data, bars, models, horizons, warmup, from, to };
    process.stdout.write(await strategyBacktest(run, strategy));
    return;
  }
  const report = runBacktest(
    { times: bars.map((bar) => bar.time), closes: Float64Array.from(bars, (bar) => bar.close) },
    { models, horizons, warmup, from, to },
  );
  requireScoredPairs(report, flags.data, bars, from !== undefined || to !== undefined);
  process.stdout.write(
    flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report, horizons),
  );
}

async function readBars(path: string): Promise<Bar[]> {
  try {
    return await readOhlcvCsv(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`data file ${path} does not exist`);
    if (code === 'EISDIR') throw new Error(`data file ${path} is a directory`);
    throw err;
  }
}

/**
 * A file too short to score even one forecast per horizon would print n = 0 and blank metrics,
 * which reads like a result; say what is missing instead. Bars are hourly, so the longest
 * horizon's first target is that many rows after the first origin, the bar at index `warmup`.
 */
function requireEnoughBars(
  path: string,
  rows: number,
  warmup: number,
  horizons: readonly number[],
): void {
  const longest = Math.max(...horizons);
  const needed = warmup + longest + 1;
  if (rows < needed) {
    throw new UsageError(
      `data file ${path} has ${rows} rows, but --warmup ${warmup} + the ${formatHorizon(longest)} horizon need at least ${needed} rows (${warmup} before the first forecast, 1 to forecast from, ${longest} to reach its target); lower --warmup or use a longer file`,
    );
  }
}

/** Like too short a file, a range holding no forecast to score says so rather than n = 0. */
function requireScoredPairs(
  report: BacktestReport,
  path: string,
  bars: readonly Bar[],
  ranged: boolean,
): void {
  const scored = Object.values(report).some((byHorizon) =>
    Object.values(byHorizon).some((metrics) => metrics.n > 0),
  );
  if (!scored) {
    const first = new Date(bars[0]!.time).toISOString();
    const last = new Date(bars.at(-1)!.time).toISOString();
    throw new UsageError(
      `no forecast to score: ${path} runs from ${first} to ${last}, and no forecast after --warmup${ranged ? ' within --from/--to' : ''} has a bar at its horizon`,
    );
  }
}

function parseWarmup(text: string): number {
  const warmup = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(warmup)) {
    throw new UsageError(`invalid --warmup "${text}": expected a whole number of bars`);
  }
  return warmup;
}

/** `N%` → time of the bar N% of the way into the file; otherwise an ISO-8601 time. */
function resolveTime(text: string, bars: readonly Bar[], flag: string): number {
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (percent) {
    const share = Number(percent[1]) / 100;
    if (share > 1) throw new UsageError(`invalid ${flag} "${text}": at most 100%`);
    const index = Math.floor(share * bars.length);
    return index < bars.length ? bars[index]!.time : Infinity;
  }
  const time = Date.parse(text);
  if (Number.isNaN(time)) {
    throw new UsageError(`invalid ${flag} "${text}": expected an ISO-8601 time or N%`);
  }
  return time;
}

function isUsageError(err: unknown): boolean {
  return (
    err instanceof UsageError ||
    err instanceof RangeError ||
    (err instanceof Error && ['ModelSpecError', 'BacktestConfigError'].includes(err.name))
  );
}

const COLUMNS = [
  'model',
  'horizon',
  'n',
  'MAE',
  'MAPE %',
  'RMSE',
  'dir. acc %',
  'skill %',
  'DM p',
  'vs naive',
  'ECE raw→cal',
  'in interval %',
  'interval skill %',
];

function renderTable(report: BacktestReport, horizons: readonly number[]): string {
  const rows = Object.entries(report).flatMap(([model, byHorizon]) =>
    horizons.map((hours) => {
      const label = formatHorizon(hours);
      return [model, label, ...metricCells(byHorizon[label]!)];
    }),
  );
  const widths = COLUMNS.map((title, c) =>
    Math.max(title.length, ...rows.map((row) => row[c]!.length)),
  );
  // Model names read best left-aligned, numbers right-aligned.
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ');
  const note =
    '\n% columns are percentages here, fractions in --json; skill % = 100 · (1 − MAE / MAE(naive)); DM p: Diebold–Mariano test of |error| vs naive (HLN, Newey–West), verdict at 5 %\n' +
    'ECE: expected calibration error of directional confidence, raw → calibrated; interval: adaptive conformal 80 %; interval skill % = 100 · (1 − interval score / naive’s)\n';
  return `${[line(COLUMNS), ...rows.map(line)].join('\n')}\n${note}`;
}

/** A fraction as a percentage, for the table only: the data (--json) keeps fractions. */
const percent = (fraction: number | null) => (fraction === null ? null : 100 * fraction);

function metricCells(metrics: BacktestMetrics): string[] {
  const fixed = (value: number | null, digits: number) =>
    value === null ? '—' : value.toFixed(digits);
  return [
    String(metrics.n),
    fixed(metrics.mae, 4),
    fixed(percent(metrics.mape), 4),
    fixed(metrics.rmse, 4),
    fixed(percent(metrics.directionalAccuracy), 2),
    fixed(percent(metrics.skill), 3),
    pValue(metrics.significance.pValue),
    SKILL_VERDICT_TEXT[metrics.significance.verdict],
    metrics.calibration.ece === null
      ? '—'
      : `${fixed(metrics.rawCalibrationError, 4)}→${fixed(metrics.calibration.ece, 4)}`,
    fixed(percent(metrics.intervalCoverage), 1),
    fixed(percent(metrics.intervalScoreSkill), 2),
  ];
}

/** Tiny p-values in scientific notation, so 0.0000 never reads as "impossible". */
function pValue(value: number | null): string {
  if (value === null) return '—';
  // Below double precision's resolution of 1 − CDF the figure is only "smaller than this".
  if (value < 1e-15) return '<1e-15';
  return value < 0.001 ? value.toExponential(1) : value.toFixed(3);
}
