import { readOhlcvCsv } from '@cryptoviz/market';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BacktestConfigError, Forecaster, dieboldMariano, runBacktest } from '../src/index.ts';
import { randomWalk } from './random.ts';

const HOUR = 3_600_000;
const BTC_CSV = fileURLToPath(
  new URL('../../../data/market/binance-btcusdt-1h.csv', import.meta.url),
);
const hourly = (length: number) => Array.from({ length }, (_, i) => i * HOUR);

/** The protocol's reference definitions, written as plainly as possible. */
const reference: Record<string, (c: number[], i: number, h: number) => number> = {
  naive: (c, i) => c[i]!,
  'movingAverage:window=5': (c, i) => c.slice(i - 4, i + 1).reduce((a, b) => a + b) / 5,
  'linearTrend:window=6': (c, i, h) => {
    const y = c.slice(i - 5, i + 1);
    const xMean = 2.5;
    const yMean = y.reduce((a, b) => a + b) / 6;
    let sxy = 0;
    let sxx = 0;
    y.forEach((value, x) => {
      sxy += (x - xMean) * (value - yMean);
      sxx += (x - xMean) ** 2;
    });
    return yMean + (sxy / sxx) * (5 + h - xMean);
  },
  'momentum:window=4': (c, i, h) => c[i]! + (h * (c[i]! - c[i - 4]!)) / 4,
};

describe('runBacktest', () => {
  it('matches the reference definitions and metric formulas on a random walk', () => {
    const closes = randomWalk(400, 3);
    const times = hourly(closes.length);
    const warmup = 10;
    const report = runBacktest(
      { times, closes },
      { models: Object.keys(reference), horizons: [1, 3], warmup },
    );
    for (const [spec, predict] of Object.entries(reference)) {
      for (const h of [1, 3]) {
        let absolute = 0;
        let naiveAbsolute = 0;
        let n = 0;
        for (let i = warmup; i + h < closes.length; i++) {
          absolute += Math.abs(predict(closes, i, h) - closes[i + h]!);
          naiveAbsolute += Math.abs(closes[i]! - closes[i + h]!);
          n++;
        }
        const metrics = report[spec]![`${h}h`]!;
        expect(metrics.n).toBe(n);
        expect(metrics.mae).toBeCloseTo(absolute / n, 9);
        expect(metrics.skill).toBeCloseTo(1 - absolute / naiveAbsolute, 9);
      }
    }
  });

  it('skips pairs whose target hour is missing, for every model alike', () => {
    // Hours 0–4 and 6–10: hour 5 is missing.
    const times = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10].map((hour) => hour * HOUR);
    const closes = [10, 11, 12, 11, 10, 12, 13, 12, 14, 15];
    const report = runBacktest(
      { times, closes },
      { models: ['naive', 'movingAverage:window=3', 'holt'], horizons: [1, 2], warmup: 2 },
    );
    for (const byHorizon of Object.values(report)) {
      // 1h: origins at hours 2, 3, 6, 7, 8, 9 (4 → 5 and 10 → 11 have no target).
      expect(byHorizon['1h']!.n).toBe(6);
      // 2h: origins at hours 2, 4, 6, 7, 8.
      expect(byHorizon['2h']!.n).toBe(5);
    }
    // Naive at 1h: |11−12| + |10−11| + |13−12| + |12−13| + |14−12| + |15−14| = 7 over 6 pairs.
    expect(report.naive!['1h']!.mae).toBeCloseTo(7 / 6, 12);
    expect(report.naive!['1h']!.directionalAccuracy).toBeNull();
  });

  it('refuses a window the warmup cannot feed instead of scoring fewer pairs', () => {
    const series = { times: hourly(50), closes: randomWalk(50, 1) };
    const run = (model: string, warmup: number) =>
      runBacktest(series, { models: [model], horizons: [1], warmup });
    expect(() => run('movingAverage:window=10', 8)).toThrow(BacktestConfigError);
    expect(() => run('movingAverage:window=10', 8)).toThrow(
      'movingAverage:window=10: needs 10 closes of history, so warmup must be ≥ 9 (got 8)',
    );
    expect(run('movingAverage:window=10', 9)['movingAverage:window=10']!['1h']!.n).toBe(40);
    expect(() => run('momentum:window=10', 9)).toThrow(/warmup must be ≥ 10/);
  });

  it('scores only pairs inside [from, to) when asked', () => {
    const series = { times: hourly(100), closes: randomWalk(100, 2) };
    const report = runBacktest(series, {
      models: ['naive'],
      horizons: [1, 6],
      warmup: 10,
      from: 20 * HOUR,
      to: 50 * HOUR,
    });
    // 1h: origins 20..48 (target ≤ 49); 6h: origins 20..43.
    expect(report.naive!['1h']!.n).toBe(29);
    expect(report.naive!['6h']!.n).toBe(24);
  });

  it('rejects malformed series and options', () => {
    const closes = [1, 2, 3];
    expect(() =>
      runBacktest({ times: [0, 2, 1], closes }, { models: ['naive'], horizons: [1] }),
    ).toThrow(/strictly increasing/);
    expect(() =>
      runBacktest({ times: hourly(3), closes: [1, 0, 2] }, { models: ['naive'], horizons: [1] }),
    ).toThrow(/finite and positive/);
    expect(() =>
      runBacktest({ times: hourly(3), closes }, { models: ['naive'], horizons: [0] }),
    ).toThrow(/horizon/);
  });

  it('reproduces the naive check on the BTC file (warmup 168)', async () => {
    const bars = await readOhlcvCsv(BTC_CSV);
    const report = runBacktest(
      { times: bars.map((bar) => bar.time), closes: bars.map((bar) => bar.close) },
      { models: ['naive'], horizons: [1, 6], warmup: 168 },
    );
    expect(report.naive!['1h']!.n).toBe(29405);
    expect(report.naive!['1h']!.mape).toBeCloseTo(0.00531, 6);
    expect(report.naive!['6h']!.n).toBe(29395);
    expect(report.naive!['6h']!.mape).toBeCloseTo(0.012887, 6);
  });
  it('tests each model against naive over the same pairs, and rates confidence and intervals', async () => {
    const bars = await readOhlcvCsv(BTC_CSV);
    const times = bars.map((bar) => bar.time);
    const closes = bars.map((bar) => bar.close);
    const from = times[Math.floor(0.8 * times.length)]!;
    const report = runBacktest(
      { times, closes },
      { models: ['naive', 'ridge', 'momentum'], horizons: [1, 6], from },
    );
    for (const horizon of [1, 6]) {
      const label = `${horizon}h`;
      // The same test recomputed from the pairs the protocol defines: origins at/after `from`,
      // target exactly `horizon` hours later (the file has a few gaps), absolute errors.
      const ridgeLoss: number[] = [];
      const naiveLoss: number[] = [];
      const ridgePoints = ridgePointsOf(closes, horizon);
      for (let i = 168; i + horizon < closes.length; i++) {
        const j = times.indexOf(times[i]! + horizon * HOUR, i);
        if (times[i]! < from || j < 0) continue;
        ridgeLoss.push(Math.abs(ridgePoints[i]! - closes[j]!));
        naiveLoss.push(Math.abs(closes[i]! - closes[j]!));
      }
      const ridge = report.ridge![label]!;
      expect(ridge.significance).toEqual(dieboldMariano(ridgeLoss, naiveLoss, horizon));
      expect(ridge.significance.n).toBe(ridge.n);
      // Held-out BTC: ridge's small edge is significant, momentum is significantly worse.
      expect(ridge.significance.verdict).toBe('beats-naive');
      expect(report.momentum![label]!.significance.verdict).toBe('worse-than-naive');
      expect(report.naive![label]!.significance).toMatchObject({
        pValue: 1,
        verdict: 'no-detectable-difference',
      });
      expect(ridge.intervalCoverage).toBeGreaterThan(0.77);
      expect(ridge.intervalCoverage).toBeLessThan(0.83);
      expect(ridge.nominalCoverage).toBe(0.8);
      // Adaptive conformal: near nominal in calm and volatile stretches alike.
      for (const coverage of Object.values(ridge.coverageByVolatility)) {
        expect(coverage).toBeGreaterThan(0.77);
        expect(coverage).toBeLessThan(0.83);
      }
      expect(ridge.calibration.n).toBeGreaterThan(0.8 * ridge.n);
      expect(ridge.calibration.ece).toBeLessThan(ridge.rawCalibrationError!);
      expect(report.naive![label]!.calibration).toMatchObject({ n: 0, ece: null });
    }
  });

  it('scores intervals against naive’s own fixed empirical-quantile interval', () => {
    const series = { times: hourly(3000), closes: randomWalk(3000, 9) };
    const fixed = runBacktest(series, {
      models: ['naive'],
      horizons: [1],
      forecaster: { intervalAdaptation: 0 },
    });
    expect(fixed.naive!['1h']!.intervalScoreSkill).toBe(0); // the very same interval
    const wide = runBacktest(series, {
      models: ['naive'],
      horizons: [1],
      forecaster: { coverage: 0.98, intervalAdaptation: 0 },
    });
    // Scored at its own α = 0.02, naive's 98 % interval against naive's 98 %: same again; the
    // skill compares like with like, never a 98 % interval with an 80 % one.
    expect(wide.naive!['1h']!.intervalScoreSkill).toBe(0);
    expect(wide.naive!['1h']!.intervalCoverage).toBeGreaterThan(0.95);
  });
});

/** Ridge's point forecast at every bar, from the Forecaster the protocol wraps. */
function ridgePointsOf(closes: number[], horizon: number): Float64Array {
  const forecaster = Forecaster.fromSpec('ridge', horizon);
  return Float64Array.from(closes, (close) => {
    forecaster.push(close);
    return forecaster.point;
  });
}
