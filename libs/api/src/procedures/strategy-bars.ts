import type { OhlcvBars, Signal } from '@cryptoviz/forecast';
import type { Candle, StrategySignal } from '@cryptoviz/store';

export interface AlignedSignals {
  bars: OhlcvBars;
  /** signals[i] is filled at bar i + 1's open, as tradeSignals reads them. */
  signals: (Signal | null)[];
  /** Bars that carry a signal: none before the first candle or after the last can trade. */
  signalledBars: number;
}

/**
 * Puts each stored signal on the bar before the first candle opening at or after its made-at,
 * so that tradeSignals fills it at that candle's open. A forecast's made-at is its bar's close
 * and a candle opening then starts with the next tick: its open is the first price the signal
 * could trade at, never one it was computed from. Of several signals before one open, the
 * newest wins, as it would for a trader acting on each.
 */
export function alignSignals(
  candles: readonly Candle[],
  stored: readonly StrategySignal[],
): AlignedSignals {
  const times = candles.map((c) => Date.parse(c.time));
  const signals: (Signal | null)[] = candles.map(() => null);
  let signalledBars = 0;
  let bar = 0;
  for (const { madeAtMs, signal } of stored) {
    while (bar < times.length && times[bar]! < madeAtMs) bar++;
    if (bar === times.length) break;
    if (bar === 0) continue;
    if (signals[bar - 1] === null) signalledBars++;
    signals[bar - 1] = signal;
  }
  return {
    bars: {
      times,
      opens: candles.map((c) => c.open),
      highs: candles.map((c) => c.high),
      lows: candles.map((c) => c.low),
      closes: candles.map((c) => c.close),
    },
    signals,
    signalledBars,
  };
}
