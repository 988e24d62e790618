import { describe, expect, it } from 'vitest';
import {
  finalEquity,
  tradeSignals,
  TRADING_COSTS,
  type OhlcvBars,
  type Signal,
} from '../src/index.ts';
import { randomWalk, seededNormal } from './random.ts';

const HOUR = 3_600_000;

function bars(opens: number[], closes: number[]): OhlcvBars {
  return {
    times: opens.map((_, i) => i * HOUR),
    opens,
    highs: opens.map((open, i) => Math.max(open, closes[i]!)),
    lows: opens.map((open, i) => Math.min(open, closes[i]!)),
    closes,
  };
}

/** A random walk whose opens are the previous close plus a small gap. */
function walkBars(length: number, seed: number): OhlcvBars {
  const closes = randomWalk(length, seed);
  const noise = seededNormal(seed + 1);
  const opens = closes.map((close, i) =>
    i === 0 ? close : closes[i - 1]! * (1 + 0.001 * noise()),
  );
  return bars(opens, closes);
}

function randomSignals(length: number, seed: number): Signal[] {
  const noise = seededNormal(seed);
  return Array.from({ length }, () => {
    const x = noise();
    return x > 0.5 ? 'BUY' : x < -0.5 ? 'SELL' : 'HOLD';
  });
}

describe('TRADING_COSTS', () => {
  it('defaults to a 0.1% fee a side, no slippage, long only', () => {
    expect(TRADING_COSTS.parse({})).toEqual({ feeRate: 0.001, slippageRate: 0, allowShort: false });
  });

  it('rejects a fee or slippage outside [0, 10%], naming the field', () => {
    const series = bars([100, 100], [100, 100]);
    expect(() => tradeSignals(series, [null, null], { feeRate: 0.2 })).toThrow(/^feeRate: /);
    expect(() => tradeSignals(series, [null, null], { slippageRate: -0.01 })).toThrow(
      /^slippageRate: /,
    );
  });
});

describe('tradeSignals', () => {
  it('reproduces a hand-checked 4-bar trade', () => {
    // BUY decided at bar 0's close fills at bar 1's open (100): units = 1 / (100 · 1.001), fee
    // 0.001 / 1.001. Marks: 105 / 100.1 and 120 / 100.1. SELL at bar 2's close exits at bar 3's
    // open (121): 121 · 0.999 / 100.1 = 1.2075824…, exit fee 121 · 0.001 / 100.1.
    // Buy-and-hold buys at the same fill and is marked at the last close: 120 / 100.1.
    const result = tradeSignals(
      bars([100, 100, 110, 121], [100, 105, 120, 120]),
      ['BUY', 'HOLD', 'SELL', null],
      { feeRate: 0.001, coinFlipRuns: 10 },
    );
    expect(result.equity.strategy).toEqual([
      1,
      105 / 100.1,
      120 / 100.1,
      expect.closeTo((121 * 0.999) / 100.1, 12),
    ]);
    expect(result.strategy.totalReturn).toBeCloseTo((121 * 0.999) / 100.1 - 1, 12);
    expect(result.strategy.feesPaid).toBeCloseTo(0.001 / 1.001 + (121 * 0.001) / 100.1, 12);
    expect(result.strategy).toMatchObject({
      trades: 1,
      winRate: 1,
      exposure: 2 / 3,
      maxDrawdown: 0,
    });
    expect(result.strategy.averageTradeReturn).toBeCloseTo((121 * 0.999) / 100.1 - 1, 12);
    expect(result.buyAndHold.totalReturn).toBeCloseTo(120 / 100.1 - 1, 12);
    expect(result.buyAndHold).toMatchObject({ trades: 1, exposure: 1 });
    expect(result.buyAndHold.feesPaid).toBeCloseTo(0.001 / 1.001, 12);
    // Per-bar returns 105/100.1 − 1, 120/105 − 1, 0.999·121/120 − 1; three hours span 3 h.
    const returns = [105 / 100.1 - 1, 120 / 105 - 1, (121 * 0.999) / 120 - 1];
    const mean = returns.reduce((a, b) => a + b) / 3;
    const sd = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / 2);
    expect(result.strategy.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(365.25 * 24), 9);
    expect(result.strategy.sortino).toBeNull(); // no losing bar
    const year = 365.25 * 24;
    expect(result.strategy.annualisedReturn).toBeCloseTo(
      Math.pow((121 * 0.999) / 100.1, year / 3) - 1,
      -Math.log10(Math.pow((121 * 0.999) / 100.1, year / 3)) + 6,
    );
  });

  it('fills at the next open: the close a signal was computed from cannot be traded', () => {
    // BUY at bar 1's close of 100 would gain 20% if filled there; it fills at bar 2's open (120)
    // and only pays the fee.
    const series = bars([100, 100, 120], [100, 100, 120]);
    const result = tradeSignals(series, [null, 'BUY', null], { feeRate: 0.001, coinFlipRuns: 1 });
    expect(result.strategy.totalReturn).toBeCloseTo(1 / 1.001 - 1, 12);

    // Generally: changing any bar's close moves only that bar's mark, never a fill.
    const walk = walkBars(300, 7);
    const signals = randomSignals(300, 8);
    const before = tradeSignals(walk, signals, { coinFlipRuns: 1 });
    for (const i of [10, 50, 150]) {
      const closes = Array.from(walk.closes);
      closes[i] = closes[i]! * 1.5;
      const after = tradeSignals({ ...walk, closes }, signals, { coinFlipRuns: 1 });
      expect(after.strategy.totalReturn).toBe(before.strategy.totalReturn);
      const changed = after.equity.strategy.flatMap((value, j) =>
        value === before.equity.strategy[j] ? [] : [j],
      );
      expect(changed.every((j) => j === i)).toBe(true);
    }
  });

  it('takes fees and slippage off a round trip exactly', () => {
    // Long in at 100·(1 + s)·(1 + f), out at 130·(1 − s)·(1 − f).
    const series = bars([100, 100, 110, 130], [100, 105, 120, 130]);
    const signals: Signal[] = ['BUY', 'HOLD', 'SELL', 'HOLD'];
    const free = tradeSignals(series, signals, { feeRate: 0, coinFlipRuns: 1 });
    expect(free.strategy.totalReturn).toBeCloseTo(0.3, 12);
    expect(free.strategy.feesPaid).toBe(0);
    const costly = tradeSignals(series, signals, {
      feeRate: 0.01,
      slippageRate: 0.005,
      coinFlipRuns: 1,
    });
    const expected = (130 * 0.995 * 0.99) / (100 * 1.005 * 1.01);
    expect(costly.strategy.totalReturn).toBeCloseTo(expected - 1, 12);
    expect(
      finalEquity(series, signals, TRADING_COSTS.parse({ feeRate: 0.01, slippageRate: 0.005 })),
    ).toBeCloseTo(expected, 12);
  });

  it('goes short on SELL only when allowed', () => {
    // Short at 100: 0.01 units, cash 2. Marks 2 − 0.95, 2 − 0.85; covering at 80 leaves 1.2,
    // all of which goes long at 80 and is marked at 80.
    const series = bars([100, 100, 90, 80], [100, 95, 85, 80]);
    const signals: (Signal | null)[] = ['SELL', 'HOLD', 'BUY', null];
    const short = tradeSignals(series, signals, { feeRate: 0, allowShort: true, coinFlipRuns: 1 });
    expect(short.equity.strategy.map((v) => Number(v.toFixed(12)))).toEqual([1, 1.05, 1.15, 1.2]);
    expect(short.strategy).toMatchObject({ trades: 2, winRate: 0.5, exposure: 1 });
    const longOnly = tradeSignals(series, signals, { feeRate: 0, coinFlipRuns: 1 });
    expect(longOnly.equity.strategy).toEqual([1, 1, 1, 1]);
    expect(longOnly.strategy).toMatchObject({ trades: 1, exposure: 1 / 3 });
  });

  it('measures the drawdown and how long it lasted', () => {
    // Long from bar 1: marks 1, 1, 0.8, 0.9, 1.1 (no fees): 20% down, below the peak for 2 h.
    const series = bars([100, 100, 100, 80, 90], [100, 100, 80, 90, 110]);
    const result = tradeSignals(series, ['BUY', null, null, null, null], {
      feeRate: 0,
      coinFlipRuns: 1,
    });
    expect(result.strategy.maxDrawdown).toBeCloseTo(0.2, 12);
    expect(result.strategy.maxDrawdownDurationMs).toBe(2 * HOUR);
  });

  it('draws the same coin flips from the same seed, and different ones from another', () => {
    const walk = walkBars(2000, 3);
    const signals = randomSignals(2000, 4);
    const first = tradeSignals(walk, signals, { seed: 42 }).coinFlip;
    const again = tradeSignals(walk, signals, { seed: 42 }).coinFlip;
    const other = tradeSignals(walk, signals, { seed: 43 }).coinFlip;
    expect(first).toEqual(again);
    expect(first).toMatchObject({ runs: 1000, seed: 42 });
    expect(other.meanTotalReturn).not.toBe(first.meanTotalReturn);
    expect(first.pValue).toBeGreaterThan(0);
    expect(first.pValue).toBeLessThanOrEqual(1);
  });

  it('finds foresight significant and random timing not', () => {
    const walk = walkBars(2000, 5);
    // Knows whether the next bar's open-to-open move is up: impossible, and it shows.
    const foresight: Signal[] = Array.from({ length: 2000 }, (_, i) =>
      i + 2 < 2000 && walk.opens[i + 2]! > walk.opens[i + 1]! ? 'BUY' : 'SELL',
    );
    const seer = tradeSignals(walk, foresight, { feeRate: 0, coinFlipRuns: 200 });
    expect(seer.coinFlip.pValue).toBe(1 / 201);
    const guess = tradeSignals(walk, randomSignals(2000, 6), { feeRate: 0, coinFlipRuns: 200 });
    expect(guess.coinFlip.pValue).toBeGreaterThan(0.05);
  });

  it('rejects bars it cannot trade, naming what is wrong', () => {
    expect(() => tradeSignals(bars([100, 0], [100, 100]), [null, null])).toThrow(/opens\[1\]/);
    expect(() => tradeSignals(bars([100, 100], [100, -1]), [null, null])).toThrow(/closes\[1\]/);
    expect(() => tradeSignals(bars([100], [100]), [null])).toThrow(/at least 2 bars/);
    expect(() => tradeSignals(bars([100, 100], [100, 100]), [null])).toThrow(
      /2 bars but 1 signals/,
    );
    const unsorted = { ...bars([100, 100], [100, 100]), times: [HOUR, 0] };
    expect(() => tradeSignals(unsorted, [null, null])).toThrow(/strictly increasing \(bar 1\)/);
  });
});
