import { readOhlcvCsv, type Bar } from '@cryptoviz/market';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Forecaster,
  RULE_GRID,
  countGaps,
  runTradingBacktest,
  signalFor,
  tradeSignals,
  type OhlcvBars,
  type Signal,
} from '../src/index.ts';

const HOUR = 3_600_000;
const BTC_CSV = fileURLToPath(
  new URL('../../../data/market/binance-btcusdt-1h.csv', import.meta.url),
);

function toBars(rows: readonly Bar[]): OhlcvBars {
  return {
    times: rows.map((bar) => bar.time),
    opens: rows.map((bar) => bar.open),
    highs: rows.map((bar) => bar.high),
    lows: rows.map((bar) => bar.low),
    closes: rows.map((bar) => bar.close),
  };
}

let btc: OhlcvBars;

beforeAll(async () => {
  // Four months of real hourly BTC: enough for folds, quick to forecast.
  btc = toBars((await readOhlcvCsv(BTC_CSV)).slice(0, 3000));
});

describe('runTradingBacktest', () => {
  it('trades exactly what the Forecaster and signalFor say, from the warmup on', () => {
    const rule = { threshold: 0.001, minConfidence: 0.52 };
    const report = runTradingBacktest(btc, {
      models: ['momentum'],
      horizons: [6],
      warmup: 200,
      rule,
      coinFlipRuns: 50,
    });
    const forecaster = Forecaster.fromSpec('momentum', 6);
    const signals: (Signal | null)[] = [];
    for (let i = 0; i < btc.closes.length; i++) {
      forecaster.push(btc.closes[i]!);
      const forecast = forecaster.forecast();
      if (i >= 200) signals.push(forecast.kind === 'forecast' ? signalFor(forecast, rule) : null);
    }
    const cut = (values: ArrayLike<number>) => Array.from(values).slice(200);
    const expected = tradeSignals(
      {
        times: cut(btc.times),
        opens: cut(btc.opens),
        highs: cut(btc.highs),
        lows: cut(btc.lows),
        closes: cut(btc.closes),
      },
      signals,
      { coinFlipRuns: 50 },
    );
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({ model: 'momentum', horizon: '6h', rule, folds: null });
    expect(report.rows[0]!.result).toEqual(expected);
    expect(expected.strategy.trades).toBeGreaterThan(0); // the comparison is not vacuous
    expect(report.from).toBe(btc.times[200]);
  });

  it('never scores a walk-forward choice on the bars that chose it', () => {
    const walkForward = { scheme: 'rolling' as const, trainBars: 600, foldBars: 400 };
    const options = {
      models: ['momentum', 'ewma'],
      horizons: [1],
      warmup: 200,
      walkForward,
      coinFlipRuns: 20,
    };
    const report = runTradingBacktest(btc, options);
    const folds = report.rows[0]!.folds!;
    expect(folds.length).toBe(Math.ceil((3000 - 200 - 600) / 400));
    // Traded bars start where the first training window ends.
    expect(report.from).toBe(btc.times[800]);
    for (const [k, fold] of folds.entries()) {
      expect(fold.trainTo).toBe(btc.times[800 + 400 * k]);
      expect(fold.trainFrom).toBe(btc.times[200 + 400 * k]); // rolling: the last 600 bars
      expect(RULE_GRID).toContainEqual(fold.rule);
    }

    // Rewrite every price from the third fold on: the first three choices, made from the bars
    // before each fold, stay the same; what was traded from there on changes.
    const third = 800 + 400 * 2;
    const scramble = (values: ArrayLike<number>) =>
      Array.from(values, (value, i) => (i >= third ? value * (1 + 0.05 * Math.sin(i)) : value));
    const altered = runTradingBacktest(
      {
        ...btc,
        opens: scramble(btc.opens),
        highs: scramble(btc.highs),
        lows: scramble(btc.lows),
        closes: scramble(btc.closes),
      },
      options,
    );
    for (const [row, alteredRow] of report.rows.map((r, i) => [r, altered.rows[i]!] as const)) {
      expect(alteredRow.folds!.slice(0, 3)).toEqual(row.folds!.slice(0, 3));
      expect(alteredRow.result.strategy.totalReturn).not.toBe(row.result.strategy.totalReturn);
    }
  });

  it('grows the training window when expanding', () => {
    const report = runTradingBacktest(btc, {
      models: ['ewma'],
      horizons: [1],
      warmup: 200,
      walkForward: { scheme: 'expanding', trainBars: 1000, foldBars: 1000 },
      coinFlipRuns: 10,
    });
    const folds = report.rows[0]!.folds!;
    expect(folds.map((fold) => fold.trainFrom)).toEqual([btc.times[200], btc.times[200]]);
    expect(folds.map((fold) => fold.trainTo)).toEqual([btc.times[1200], btc.times[2200]]);
    expect(folds[1]!.testLast).toBe(btc.times[2999]); // the last fold runs to the end of the data
  });

  it('says what is missing instead of trading nothing', () => {
    expect(() =>
      runTradingBacktest(btc, {
        models: ['naive'],
        horizons: [1],
        warmup: 200,
        walkForward: { scheme: 'rolling', trainBars: 5000, foldBars: 100 },
      }),
    ).toThrow(/walk-forward needs more than 5000 training bars/);
    expect(() =>
      runTradingBacktest(btc, { models: ['movingAverage:window=500'], horizons: [1], warmup: 200 }),
    ).toThrow(/warmup must be ≥ 499/);
    expect(() =>
      runTradingBacktest(btc, { models: ['naive'], horizons: [1], warmup: 2999 }),
    ).toThrow(/only 1 bars to trade/);
  });
});

describe('countGaps', () => {
  it('counts steps longer than the usual spacing and the bars missing in them', () => {
    const times = [0, 1, 2, 5, 6, 7, 9].map((h) => h * HOUR);
    expect(countGaps(times)).toEqual({ count: 2, missingBars: 3 });
    expect(countGaps(btc.times)).toEqual(countGaps(btc.times, 0, 3000));
  });
});
