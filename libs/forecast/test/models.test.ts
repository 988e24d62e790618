import { describe, expect, it } from 'vitest';
import { createPointModel, type PointModel } from '../src/index.ts';
import { createRidge } from '../src/models/ridge.ts';
import { seededNormal } from './random.ts';

function fed(model: PointModel, closes: readonly number[]): PointModel {
  for (const close of closes) model.push(close);
  return model;
}

const predict = (spec: string, closes: readonly number[], horizon = 1) =>
  fed(createPointModel(spec, horizon), closes).predict();

const closes = [10, 12, 11, 13, 14];

describe('reference models (hand-computed)', () => {
  it('naive repeats the last close', () => {
    expect(predict('naive', closes)).toBe(14);
    expect(predict('naive', closes, 6)).toBe(14);
  });

  it('movingAverage is the mean of the last W closes', () => {
    expect(predict('movingAverage:window=3', closes)).toBeCloseTo(38 / 3, 12);
    expect(predict('movingAverage:window=5', closes, 6)).toBeCloseTo(12, 12);
  });

  it('linearTrend extrapolates the least-squares line to W − 1 + h', () => {
    // Last 3 closes 11, 13, 14 at x = 0, 1, 2: mean 38/3, slope 1.5.
    expect(predict('linearTrend:window=3', closes, 1)).toBeCloseTo(38 / 3 + 1.5 * 2, 12);
    expect(predict('linearTrend:window=3', closes, 2)).toBeCloseTo(38 / 3 + 1.5 * 3, 12);
    // A perfect line is continued exactly.
    expect(predict('linearTrend:window=4', [5, 7, 9, 11, 13], 3)).toBeCloseTo(19, 12);
  });

  it('momentum adds h times the average change over W bars', () => {
    expect(predict('momentum:window=2', closes, 1)).toBeCloseTo(14 + 3 / 2, 12);
    expect(predict('momentum:window=2', closes, 3)).toBeCloseTo(14 + (3 * 3) / 2, 12);
    expect(predict('momentum:window=4', closes, 2)).toBeCloseTo(14 + (2 * 4) / 4, 12);
  });

  it('ewma smooths from the first close and forecasts its level', () => {
    // 10 → 11 → 11 → 12 → 13 with α = 0.5.
    expect(predict('ewma:alpha=0.5', closes)).toBeCloseTo(13, 12);
    expect(predict('ewma:alpha=1', closes, 6)).toBe(14);
  });

  it('holt follows level and trend, optionally damped', () => {
    // level/trend: (10) → (12, 2) → (12.5, 1.25) → (13.375, 1.0625)
    const series = [10, 12, 11, 13];
    expect(predict('holt:alpha=0.5,beta=0.5', series, 1)).toBeCloseTo(14.4375, 12);
    expect(predict('holt:alpha=0.5,beta=0.5', series, 2)).toBeCloseTo(15.5, 12);
    // Two closes give level 12 and trend 2; φ = 0.5 adds (0.5 + 0.25) · 2 at h = 2.
    expect(predict('holt:damping=0.5', [10, 12], 2)).toBeCloseTo(13.5, 12);
  });

  it('lookback counts the closes each model needs', () => {
    const lookback = (spec: string) => createPointModel(spec, 1).lookback;
    expect(lookback('naive')).toBe(1);
    expect(lookback('movingAverage:window=20')).toBe(20);
    expect(lookback('linearTrend:window=24')).toBe(24);
    expect(lookback('momentum:window=24')).toBe(25);
    expect(lookback('holt')).toBe(2);
    expect(lookback('ridge:lags=3')).toBe(4);
    expect(lookback('consensus:members=naive+momentum(window=30),weights=1+1')).toBe(31);
  });
});

describe('ridge', () => {
  // Log-closes 0, 1, 3, 4: returns 1, 2, 1. Samples (x, y): (1, 2) and (2, 1).
  const exponentials = [0, 1, 3, 4].map(Math.exp);

  it('is naive until a sample with a known outcome exists', () => {
    expect(predict('ridge:lags=1', [10, 11])).toBe(11);
  });

  it('fits β = Σxy / (Σx² + λ·Σx²) on one lag', () => {
    // λ = 0: β = 4 / 5; forecast log-return = β · last return (1).
    expect(Math.log(predict('ridge:lags=1,lambda=0', exponentials))).toBeCloseTo(4.8, 10);
    // λ = 1 doubles the denominator: β = 0.4.
    expect(Math.log(predict('ridge:lags=1,lambda=1', exponentials))).toBeCloseTo(4.4, 10);
  });

  it('forgets samples older than trainWindow', () => {
    const model = fed(createRidge({ lags: 1, trainWindow: 1, lambda: 0 }, 1), exponentials);
    // Only the latest sample (2, 1) remains: β = 2 / 4.
    expect(Math.log(model.predict())).toBeCloseTo(4.5, 10);
  });

  it('keeps every sample with trainWindow = 0', () => {
    const model = fed(createRidge({ lags: 1, trainWindow: 0, lambda: 0 }, 1), exponentials);
    expect(Math.log(model.predict())).toBeCloseTo(4.8, 10);
  });

  it('recovers a mean-reverting AR(1) coefficient from returns', () => {
    const random = seededNormal(7);
    const series = [100];
    let previous = 0;
    for (let i = 0; i < 5000; i++) {
      previous = -0.3 * previous + 0.01 * random();
      series.push(series.at(-1)! * Math.exp(previous));
    }
    const model = fed(createPointModel('ridge:lags=1,lambda=0,trainWindow=5000', 1), series);
    const impliedBeta = Math.log(model.predict() / series.at(-1)!) / previous;
    expect(impliedBeta).toBeGreaterThan(-0.35);
    expect(impliedBeta).toBeLessThan(-0.25);
  });
});

describe('consensus', () => {
  it('expresses the classic 0.4 / 0.4 / 0.2 split', () => {
    const spec =
      'consensus:members=naive+movingAverage(window=3)+momentum(window=2),weights=0.4+0.4+0.2';
    const expected = 0.4 * 14 + 0.4 * (38 / 3) + 0.2 * 15.5;
    expect(predict(spec, closes)).toBeCloseTo(expected, 12);
    // Weights are normalised, so 2 / 2 / 1 is the same split.
    const unnormalised = spec.replace('0.4+0.4+0.2', '2+2+1');
    expect(predict(unnormalised, closes)).toBeCloseTo(expected, 12);
  });

  it('defaults to movingAverage, linearTrend and momentum at 0.4 / 0.4 / 0.2', () => {
    const series = Array.from({ length: 30 }, (_, i) => 100 + Math.sin(i) * 5 + i * 0.3);
    const expected =
      0.4 * predict('movingAverage', series, 2) +
      0.4 * predict('linearTrend', series, 2) +
      0.2 * predict('momentum', series, 2);
    expect(predict('consensus', series, 2)).toBeCloseTo(expected, 10);
  });

  it('weighs members by inverse trailing MAE, equal until each was scored', () => {
    const spec = 'consensus:members=naive+momentum(window=1),weights=inverseMae';
    // Scored errors — naive: 2, 1, 2; momentum: 3, 3 (its first forecast is at bar 2).
    // After bar 3: MAE 1.5 vs 3 → weights 2/3, 1/3; forecasts 11 and 10.
    expect(predict(spec, [10, 12, 11])).toBeCloseTo((2 * 11 + 10) / 3, 12);
    // After bar 4: MAE 5/3 vs 3 → weights 9/14, 5/14; forecasts 13 and 15.
    expect(predict(spec, [10, 12, 11, 13])).toBeCloseTo((9 * 13 + 5 * 15) / 14, 12);
    // errorWindow = 2 keeps naive's last two errors (1, 2): MAE 1.5 → weights 2/3, 1/3.
    expect(predict(`${spec},errorWindow=2`, [10, 12, 11, 13])).toBeCloseTo((2 * 13 + 15) / 3, 12);
  });

  it('scores members against the close h bars after each forecast', () => {
    const spec = 'consensus:members=naive+momentum(window=1),weights=inverseMae';
    // h = 2 on a straight line: momentum is exact, naive is 2·step off — momentum wins outright.
    const line = Array.from({ length: 20 }, (_, i) => 100 + i);
    expect(predict(spec, line, 2)).toBeCloseTo(121, 6);
  });
});
