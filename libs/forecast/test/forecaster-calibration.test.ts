import { readOhlcvCsv } from '@cryptoviz/market';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfidenceCalibration } from '../src/confidence-calibration.ts';
import { Forecaster, reliability, type ForecasterOptions } from '../src/index.ts';
import { PlattMap } from '../src/platt.ts';
import { randomWalk, seededNormal } from './random.ts';

const BTC_CSV = fileURLToPath(
  new URL('../../../data/market/binance-btcusdt-1h.csv', import.meta.url),
);
const MODELS = ['movingAverage', 'ewma', 'linearTrend', 'momentum', 'holt', 'ridge', 'consensus'];
const NOMINAL = 0.8;

let closes: number[] = [];
beforeAll(async () => {
  closes = (await readOhlcvCsv(BTC_CSV)).map((bar) => bar.close);
});

describe('PlattMap', () => {
  it('recovers the slope and intercept outcomes were drawn with', () => {
    const normal = seededNormal(5);
    const raw: number[] = [];
    const outcomes: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const x = 0.5 + 0.15 * Math.tanh(normal());
      const z = 0.5 * Math.log(x / (1 - x)) - 0.1; // true map: σ(0.5·logit(x) − 0.1)
      raw.push(x);
      outcomes.push((normal() + 10) % 1 < 1 / (1 + Math.exp(-z)) ? 1 : 0);
    }
    const map = PlattMap.fit(raw, new Float64Array(raw.length).fill(1), outcomes);
    expect(map.slope).toBeCloseTo(0.5, 0);
    expect(map.intercept).toBeCloseTo(-0.1, 0);
  });
});

describe('ConfidenceCalibration', () => {
  it('returns the raw confidence until minCalls were scored, then the fitted hit rate', () => {
    const calibration = new ConfidenceCalibration({ window: 100, minCalls: 50, refitEvery: 10 });
    for (let i = 0; i < 49; i++) calibration.add(0.7, i % 2 === 0);
    expect(calibration.apply(0.7)).toBe(0.7);
    calibration.add(0.7, false); // 50 calls, 25 right: a stated 70 % came true half the time
    expect(calibration.active).toBe(true);
    expect(calibration.apply(0.7)).toBeCloseTo(0.5, 3);
    expect(calibration.apply(0)).toBe(0);
  });

  it('names the bad option', () => {
    expect(() => new ConfidenceCalibration({ window: 10, minCalls: 11, refitEvery: 1 })).toThrow(
      /calibrationMinCalls/,
    );
    expect(() => new ConfidenceCalibration({ window: 10, minCalls: 5, refitEvery: 0 })).toThrow(
      /calibrationRefit/,
    );
  });
});

describe('Forecaster calibrated confidence', () => {
  it('is closer to the observed hit rate than the raw confidence on BTC’s held-out last 20 %', () => {
    const split = Math.floor(closes.length * 0.8);
    const raw: number[] = [];
    const calibrated: number[] = [];
    const outcomes: number[] = [];
    for (const model of MODELS) {
      const forecaster = Forecaster.fromSpec(model, 1);
      for (let i = 0; i + 1 < closes.length; i++) {
        forecaster.push(closes[i]!);
        const forecast = forecaster.forecast();
        const actual = closes[i + 1]!;
        if (i < split || forecast.kind !== 'forecast') continue;
        if (forecast.rawConfidence === 0 || actual === closes[i]) continue;
        raw.push(forecast.rawConfidence);
        calibrated.push(forecast.confidence);
        outcomes.push(forecast.direction === (actual > closes[i]! ? 'up' : 'down') ? 1 : 0);
      }
    }
    const before = reliability(raw, outcomes).ece!;
    const after = reliability(calibrated, outcomes).ece!;
    expect(outcomes.length).toBeGreaterThan(30_000);
    expect(after).toBeLessThan(before);
    expect(after).toBeLessThan(0.005); // measured 0.0010 (raw: 0.0085)
  });

  it('uses past calls only: a different future never changes an earlier confidence', () => {
    const options: ForecasterOptions = { calibrationMinCalls: 100, calibrationRefit: 10 };
    const past = randomWalk(3000, 21);
    const futureA = randomWalk(500, 22).map((close) => (close * past.at(-1)!) / 100);
    const futureB = randomWalk(500, 23).map((close) => (close * past.at(-1)!) / 100);
    const a = Forecaster.fromSpec('ridge', 3, options);
    const b = Forecaster.fromSpec('ridge', 3, options);
    let calibratedDiffers = false;
    for (const close of past) {
      a.push(close);
      b.push(close);
      const [fa, fb] = [a.forecast(), b.forecast()];
      expect(fa).toEqual(fb);
      if (fa.kind === 'forecast' && fa.confidence !== fa.rawConfidence) calibratedDiffers = true;
    }
    expect(calibratedDiffers).toBe(true); // the calibration was in use on the shared past
    let diverged = false;
    for (let i = 0; i < 500; i++) {
      a.push(futureA[i]!);
      b.push(futureB[i]!);
      const [fa, fb] = [a.forecast(), b.forecast()];
      if (fa.kind === 'forecast' && fb.kind === 'forecast' && fa.confidence !== fb.confidence) {
        diverged = true;
      }
    }
    expect(diverged).toBe(true); // …and the futures did feed it once they were the past
  });

  it('is the raw confidence until calibrationMinCalls calls were scored', () => {
    const forecaster = Forecaster.fromSpec('momentum:window=3', 1, {
      calibrationMinCalls: 1000,
      calibrationWindow: 1000,
    });
    for (const close of randomWalk(900, 4)) {
      forecaster.push(close);
      const forecast = forecaster.forecast();
      if (forecast.kind === 'forecast') expect(forecast.confidence).toBe(forecast.rawConfidence);
    }
  });
});

/** Trailing realised volatility (168 one-bar log returns) at every origin; NaN before. */
function trailingVolatility(series: number[], window = 168): Float64Array {
  const volatility = new Float64Array(series.length).fill(Number.NaN);
  let sum = 0;
  for (let i = 1; i < series.length; i++) {
    sum += Math.log(series[i]! / series[i - 1]!) ** 2;
    if (i > window) sum -= Math.log(series[i - window]! / series[i - window - 1]!) ** 2;
    if (i >= window) volatility[i] = Math.sqrt(sum / window);
  }
  return volatility;
}

/** Coverage in the calmer and the more volatile half of origins (split at the median). */
function coverageByRegime(horizon: number, intervalAdaptation: number): [number, number] {
  const volatility = trailingVolatility(closes);
  const median = Float64Array.from(volatility.filter((v) => !Number.isNaN(v))).sort()[
    Math.floor(volatility.filter((v) => !Number.isNaN(v)).length / 2)
  ]!;
  const counts = [0, 0, 0, 0]; // calm pairs, calm covered, volatile pairs, volatile covered
  for (const model of MODELS) {
    const forecaster = Forecaster.fromSpec(model, horizon, { intervalAdaptation });
    for (let i = 0; i + horizon < closes.length; i++) {
      forecaster.push(closes[i]!);
      const forecast = forecaster.forecast();
      if (forecast.kind !== 'forecast' || Number.isNaN(volatility[i]!)) continue;
      const regime = volatility[i]! > median ? 2 : 0;
      const actual = closes[i + horizon]!;
      counts[regime]!++;
      if (actual >= forecast.lower && actual <= forecast.upper) counts[regime + 1]!++;
    }
  }
  return [counts[1]! / counts[0]!, counts[3]! / counts[2]!];
}

describe('Forecaster adaptive conformal interval', () => {
  it.each([1, 6])(
    'holds 80 %% ± 2.5 points in calm and volatile halves of BTC at %ih, closer than fixed quantiles',
    (horizon) => {
      const adaptive = coverageByRegime(horizon, 0.005);
      const fixed = coverageByRegime(horizon, 0);
      const worst = (coverage: number[]) => Math.max(...coverage.map((c) => Math.abs(c - NOMINAL)));
      for (const coverage of adaptive) expect(Math.abs(coverage - NOMINAL)).toBeLessThan(0.025);
      expect(worst(adaptive)).toBeLessThan(worst(fixed));
    },
  );
});
