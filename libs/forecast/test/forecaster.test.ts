import { describe, expect, it } from 'vitest';
import { CallRecord } from '../src/call-record.ts';
import {
  Forecaster,
  SortedWindow,
  forecastSeries,
  type Forecast,
  type PointModel,
} from '../src/index.ts';
import { randomWalk } from './random.ts';

function forecastOf(forecaster: Forecaster): Forecast {
  const result = forecaster.forecast();
  if (result.kind !== 'forecast') throw new Error(`no forecast: needs ${result.needed} bars`);
  return result;
}

describe('SortedWindow', () => {
  it('keeps the last values sorted and evicts the oldest', () => {
    const window = new SortedWindow(3);
    for (const value of [5, 1, 3, 2]) window.add(value); // 5 left
    expect(window.size).toBe(3);
    expect(window.quantile(0)).toBe(1);
    expect(window.quantile(1)).toBe(3);
    expect(window.quantile(0.5)).toBe(2);
    expect(window.quantile(0.25)).toBe(1.5);
  });

  it('counts strictly below and above, ties excluded', () => {
    const window = new SortedWindow(10);
    for (const value of [1, 2, 2, 3]) window.add(value);
    expect(window.countBelow(2)).toBe(1);
    expect(window.countAbove(2)).toBe(1);
    expect(window.countBelow(10)).toBe(4);
  });
});

describe('CallRecord', () => {
  it('counts the calls at least as bold, widened to the `minimum` boldest', () => {
    const record = new CallRecord(10);
    for (let i = 0; i < 3; i++) record.add(0.01, false);
    for (let i = 0; i < 3; i++) record.add(0.05, true);
    expect(record.boldCalls(0.04, 2)).toEqual({ total: 3, right: 3 });
    expect(record.boldCalls(0.001, 2)).toEqual({ total: 6, right: 3 });
    expect(record.boldCalls(0.1, 2)).toEqual({ total: 3, right: 3 }); // widened to ≥ 0.05
    expect(record.boldCalls(0.1, 7)).toBeNull();
  });

  it('forgets the oldest calls', () => {
    const record = new CallRecord(4);
    for (const [boldness, right] of [
      [0.01, false],
      [0.01, false],
      [0.01, false],
      [0.05, true],
      [0.05, true],
      [0.05, true],
    ] as const) {
      record.add(boldness, right);
    }
    expect(record.boldCalls(0, 1)).toEqual({ total: 4, right: 3 });
  });
});

describe('Forecaster', () => {
  const options = { residualWindow: 4, minResiduals: 4, minCalls: 4, coverage: 0.5 };

  it('reports not-enough-data, typed, until the window and residuals are there', () => {
    const forecaster = Forecaster.fromSpec('naive', 1, options);
    // 1 close for the point, 1 bar for its outcome, 3 more for 4 residuals.
    expect(forecaster.needed).toBe(5);
    for (const close of [100, 101, 100, 101]) forecaster.push(close);
    expect(forecaster.forecast()).toEqual({ kind: 'not-enough-data', needed: 5, available: 4 });
    forecaster.push(100);
    expect(forecaster.forecast().kind).toBe('forecast');
  });

  it('is not-enough-data with fewer bars than the window, never NaN', () => {
    const result = forecastSeries('movingAverage:window=20', [1, 2, 3], 1);
    expect(result).toEqual({ kind: 'not-enough-data', needed: 20 + 1 + 24 - 1, available: 3 });
    const forecaster = Forecaster.fromSpec('movingAverage:window=20', 1);
    expect(Number.isNaN(forecaster.point)).toBe(true);
  });

  it('draws the interval from empirical quantiles of past relative residuals', () => {
    const forecaster = Forecaster.fromSpec('naive', 1, options);
    for (const close of [100, 101, 100, 101, 100]) forecaster.push(close);
    // Residuals (y − ŷ) / c: +1/100, −1/101, +1/100, −1/101; 25% and 75% quantiles.
    const forecast = forecastOf(forecaster);
    expect(forecast.point).toBe(100);
    expect(forecast.lower).toBeCloseTo(100 - 100 / 101, 10);
    expect(forecast.upper).toBeCloseTo(101, 10);
    expect(forecast.coverage).toBe(0.5);
  });

  it('gives a flat forecast no direction and zero confidence', () => {
    const forecaster = Forecaster.fromSpec('naive', 1, options);
    for (const close of [100, 101, 100, 101, 100]) forecaster.push(close);
    expect(forecastOf(forecaster)).toMatchObject({ direction: 'flat', confidence: 0 });
  });

  it('has a zero-width interval and a shrunk-but-high confidence when never wrong', () => {
    const forecaster = Forecaster.fromSpec('momentum:window=1', 3, options);
    for (let i = 0; i < 20; i++) forecaster.push(100 + i);
    const forecast = forecastOf(forecaster);
    // 4 of the 4 recorded up-calls were right, plus 4 pseudo-calls half right: 6 / 8.
    expect(forecast).toMatchObject({ direction: 'up', confidence: 0.75 });
    expect(forecast.point).toBeCloseTo(122, 10);
    expect(forecast.lower).toBeCloseTo(122, 10);
    expect(forecast.upper).toBeCloseTo(122, 10);
  });

  it('confidence is the shrunk hit rate of same-direction calls', () => {
    // A model that always calls +1%; realised moves +2%, −2%, +0.5%, +3%: 3 of 4 calls right,
    // (3 + 2) / (4 + 4) with 4 pseudo-calls. Residuals (move − 1%): +1%, −3%, −0.5%, +2%.
    let last = Number.NaN;
    const upByOnePercent: PointModel = {
      lookback: 1,
      push: (close) => void (last = close),
      predict: () => last * 1.01,
    };
    const forecaster = new Forecaster(upByOnePercent, 1, options);
    let close = 100;
    forecaster.push(close);
    for (const move of [0.02, -0.02, 0.005, 0.03]) forecaster.push((close *= 1 + move));
    const forecast = forecastOf(forecaster);
    expect(forecast.direction).toBe('up');
    expect(forecast.confidence).toBe(0.625);
    // 25% / 75% quantiles of the residuals: −1.125% and +1.25%.
    expect(forecast.lower).toBeCloseTo(close * (1.01 - 0.01125), 10);
    expect(forecast.upper).toBeCloseTo(close * (1.01 + 0.0125), 10);
  });

  it('gives a model that is always wrong a low confidence in both directions', () => {
    // momentum(window=1) on 100, 102, 100, …: every call is wrong; 5 calls each way were scored,
    // so (0 + 1) / (5 + 2).
    const forecaster = Forecaster.fromSpec('momentum:window=1', 1, {
      residualWindow: 8,
      minResiduals: 2,
      minCalls: 2,
    });
    for (let i = 0; i < 12; i++) forecaster.push(i % 2 === 0 ? 100 : 102);
    expect(forecastOf(forecaster).direction).toBe('up');
    expect(forecastOf(forecaster).confidence).toBeCloseTo(1 / 7, 12);
    forecaster.push(100);
    expect(forecastOf(forecaster).direction).toBe('down');
    expect(forecastOf(forecaster).confidence).toBeCloseTo(1 / 7, 12);
  });

  it('has no confidence before minCalls calls in that direction were scored', () => {
    const forecaster = Forecaster.fromSpec('momentum:window=1', 1); // minCalls 100 by default
    for (let i = 0; i < 30; i++) forecaster.push(100 + i);
    expect(forecastOf(forecaster)).toMatchObject({ direction: 'up', confidence: 0 });
  });

  it('covers about the nominal share of outcomes on a random walk', () => {
    const closes = randomWalk(6000, 11);
    const forecaster = Forecaster.fromSpec('ewma:alpha=0.5', 6, { coverage: 0.8 });
    let scored = 0;
    let inside = 0;
    for (let i = 0; i + 6 < closes.length; i++) {
      forecaster.push(closes[i]!);
      const result = forecaster.forecast();
      if (result.kind !== 'forecast') continue;
      expect(result.lower).toBeLessThanOrEqual(result.upper);
      expect(result.confidence).toBeGreaterThanOrEqual(0);
      expect(result.confidence).toBeLessThanOrEqual(1);
      scored++;
      const actual = closes[i + 6]!;
      if (actual >= result.lower && actual <= result.upper) inside++;
    }
    expect(inside / scored).toBeGreaterThan(0.75);
    expect(inside / scored).toBeLessThan(0.85);
  });
});
