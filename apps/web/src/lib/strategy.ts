import { z } from 'zod';
import { formatPercent, formatPValue, formatShare } from './format.ts';
import { linePath, scales, type ChartBox, type Scales } from './forecast-chart.ts';

/** What the panel reads of one side of the gateway's `strategy` answer (libs/forecast's TradingMetrics). */
export interface Metrics {
  totalReturn: number;
  maxDrawdown: number;
  trades: number;
  winRate: number | null;
  exposure: number;
  feesPaid: number;
}

export interface StrategyView {
  bars: number;
  /** Bars that carry a signal of the model (the gateway's alignment of forecasts to candles). */
  signalledBars: number;
  strategy: Metrics;
  buyAndHold: Metrics;
  coinFlip: { runs: number; pValue: number; meanTotalReturn: number };
  equity: { times: readonly number[]; strategy: readonly number[]; buyAndHold: readonly number[] };
}

/** The fee a trader pays per side when none is typed: 0.1 %, a spot taker fee at most exchanges. */
export const DEFAULT_FEE_PERCENT = 0.1;

/** The fee field as typed (percent per side) → the fraction the gateway takes, 0–10 %. */
const feePercent = z.coerce
  .number({ error: 'Fee per side: type a number of percent, e.g. 0.1' })
  .min(0, 'Fee per side: at least 0 %')
  .max(10, 'Fee per side: at most 10 %');

export function feeRateFrom(typed: string): { feeRate: number } | { error: string } {
  if (typed.trim() === '') return { error: 'Fee per side: type a number of percent, e.g. 0.1' };
  const parsed = feePercent.safeParse(typed.trim());
  return parsed.success
    ? { feeRate: parsed.data / 100 }
    : { error: parsed.error.issues[0]?.message ?? 'Fee per side: not a number' };
}

/** Nothing to show: no bars in the window, or none of them carries one of the model's signals. */
export function isEmptyStrategy(result: StrategyView): boolean {
  return result.equity.times.length < 2 || result.signalledBars === 0;
}

export interface EquityChart {
  s: Scales;
  strategy: string;
  buyAndHold: string;
}

/**
 * Both equity curves on one set of scales, as returns in percent (equity 1.05 → 5), so the price
 * chart's axis labels read as percentages of the starting stake.
 */
export function equityChart(
  equity: StrategyView['equity'],
  box: ChartBox,
  timeLabels: number,
): EquityChart | null {
  if (equity.times.length < 2) return null;
  const asReturn = (curve: readonly number[]) =>
    equity.times.map((t, i) => [t, (curve[i]! - 1) * 100] as const);
  const strategy = asReturn(equity.strategy);
  const buyAndHold = asReturn(equity.buyAndHold);
  const s = scales(
    equity.times,
    [...strategy, ...buyAndHold].map(([, v]) => v),
    box,
    timeLabels,
  );
  return { s, strategy: linePath(strategy, s), buyAndHold: linePath(buyAndHold, s) };
}

export interface FigureRow {
  label: string;
  strategy: string;
  buyAndHold: string;
}

/** The key figures, each beside what buy-and-hold did over the same bars. */
export function figureRows(result: StrategyView): FigureRow[] {
  const row = (label: string, format: (m: Metrics) => string): FigureRow => ({
    label,
    strategy: format(result.strategy),
    buyAndHold: format(result.buyAndHold),
  });
  return [
    row('Total return', (m) => formatPercent(m.totalReturn * 100)),
    row('Max drawdown', (m) => formatShare(m.maxDrawdown, 1)),
    row('Trades', (m) => String(m.trades)),
    row('Win rate', (m) => formatShare(m.winRate)),
    row('Exposure', (m) => formatShare(m.exposure)),
    row('Fees paid', (m) => formatShare(m.feesPaid, 2)),
  ];
}

/**
 * The headline in words: what the signals made after fees, beside buying and holding.
 * "After 0.60% in fees, the signals made +4.20%; buying and holding, -2.00%."
 */
export function strategyReading(result: StrategyView): string {
  const made = (m: Metrics) => formatPercent(m.totalReturn * 100);
  const verb = result.strategy.totalReturn >= result.buyAndHold.totalReturn ? 'beat' : 'trailed';
  return (
    `After ${formatShare(result.strategy.feesPaid, 2)} in fees, the signals made ${made(result.strategy)}; ` +
    `buying and holding, ${made(result.buyAndHold)}: the signals ${verb} it.`
  );
}

/** Below this share of coin-flip runs doing as well, the timing is unlikely to be luck. */
export const LUCK_ALPHA = 0.05;

/**
 * "A coin flip with the same exposure did as well in 34% of 1000 runs": the p-value said as
 * what it counts, then what that means for the signals' timing.
 */
export function coinFlipReading(coinFlip: StrategyView['coinFlip']): string {
  // The p-value is smoothed (+1 run), so it never reads 0 %: below 1 % it says so instead.
  const share = coinFlip.pValue < 0.01 ? 'under 1%' : formatShare(coinFlip.pValue);
  const meaning =
    coinFlip.pValue < LUCK_ALPHA
      ? 'its timing looks like more than luck'
      : 'its timing is not shown to beat luck';
  return `A coin flip with the same exposure did as well in ${share} of ${coinFlip.runs} runs (${formatPValue(coinFlip.pValue)}): ${meaning}.`;
}
