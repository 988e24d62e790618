import { readOhlcvCsv } from '@cryptoviz/market';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdaptiveLevel, RUNS } from '../src/adaptive-level.ts';
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
  it('returns the raw confidence until minCalls are held at a refit bar, then the fitted hit rate', () => {
    const calibration = new ConfidenceCalibration({ window: 100, minCalls: 50, refitEvery: 10 });
    for (let i = 0; i < 49; i++) calibration.add(0.7, i % 2 === 0);
    calibration.atBar(40);
    expect(calibration.apply(0.7)).toBe(0.7);
    calibration.add(0.7, false); // 50 calls, 25 right: a stated 70 % came true half the time
    calibration.atBar(49);
    expect(calibration.active).toBe(false); // not a refit bar
    calibration.atBar(50);
    expect(calibration.active).toBe(true);
    expect(calibration.apply(0.7)).toBeCloseTo(0.5, 3);
    expect(calibration.apply(0)).toBe(0);
  });

  it('refits only at bars whose number is a multiple of refitEvery', () => {
    const calibration = new ConfidenceCalibration({ window: 100, minCalls: 10, refitEvery: 5 });
    let previous = calibration.apply(0.7);
    for (let bar = 1; bar <= 40; bar++) {
      calibration.add(0.7, bar % 3 === 0); // the hit rate changes with every call
      calibration.atBar(bar);
      const now = calibration.apply(0.7);
      if (bar % 5 === 0 && bar >= 10) expect(now).not.toBe(previous);
      else expect(now).toBe(previous);
      previous = now;
    }
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

describe('Forecaster memory', () => {
  // Ridge with trainWindow 0 learns from all history and never forgets (memoryBars says so).
  const BOUNDED = MODELS.filter((model) => model !== 'ridge');

  /** Forecasts of `forecaster` at bars [from, to) of BTC, fed from bar `start` on. */
  function forecastsFrom(forecaster: Forecaster, start: number, from: number, to: number) {
    const out: ReturnType<Forecaster['forecast']>[] = [];
    for (let i = start; i < to; i++) {
      forecaster.push(closes[i]!, i);
      if (i >= from) out.push(forecaster.forecast());
    }
    return out;
  }

  it.each([1, 6])(
    'a forecaster started memoryBars back forecasts as one that ran throughout, calibrated and adaptive (%ih)',
    (horizon) => {
      const from = 15_000;
      const to = from + 2_000;
      for (const model of BOUNDED) {
        const throughout = forecastsFrom(Forecaster.fromSpec(model, horizon), 0, from, to);
        const memory = Forecaster.fromSpec(model, horizon).memoryBars;
        const late = forecastsFrom(Forecaster.fromSpec(model, horizon), from - memory, from, to);
        expect(late, model).toEqual(throughout);
        // Both long memories are in use: calibrated confidences, levels away from the nominal.
        const fixed = forecastsFrom(
          Forecaster.fromSpec(model, horizon, { intervalAdaptation: 0 }),
          0,
          from,
          to,
        );
        const calibrated = throughout.filter(
          (f) => f.kind === 'forecast' && f.confidence !== f.rawConfidence,
        );
        const adapted = throughout.filter(
          (f, i) => f.kind === 'forecast' && f.lower !== (fixed[i] as typeof f).lower,
        );
        expect(calibrated.length, model).toBeGreaterThan(1_000);
        expect(adapted.length, model).toBeGreaterThan(1_000);
        // …and a forecaster started much later does not agree, so the comparison can tell.
        const later = forecastsFrom(Forecaster.fromSpec(model, horizon), from - 2_000, from, to);
        expect(later, model).not.toEqual(throughout);
      }
    },
  );

  it('refits on the bar numbers it is given: shifted by whole refit periods, the same forecasts', () => {
    const options: ForecasterOptions = {
      calibrationMinCalls: 100,
      calibrationWindow: 500,
      calibrationRefit: 24,
      intervalAdaptation: 0,
    };
    const run = (offset: number) => {
      const forecaster = Forecaster.fromSpec('momentum', 1, options);
      return randomWalk(3_000, 31).map((close, i) => {
        forecaster.push(close, offset + i);
        return forecaster.forecast();
      });
    };
    const base = run(0);
    expect(run(24 * 1_000)).toEqual(base);
    const shifted = run(7);
    const differs = base.filter((f, i) => {
      const g = shifted[i]!;
      return f.kind === 'forecast' && g.kind === 'forecast' && f.confidence !== g.confidence;
    });
    expect(differs.length).toBeGreaterThan(0);
    // Only the refit bars moved: points, raw confidences and intervals are the same.
    expect(
      shifted.map((f) => (f.kind === 'forecast' ? [f.point, f.rawConfidence, f.lower] : f)),
    ).toEqual(base.map((f) => (f.kind === 'forecast' ? [f.point, f.rawConfidence, f.lower] : f)));
  });
});

describe('AdaptiveLevel', () => {
  it('forgets: after misses then two periods of hits, the level hits alone give', () => {
    const period = 100;
    const missedFirst = new AdaptiveLevel(0.2, 0.005, period);
    const hitsOnly = new AdaptiveLevel(0.2, 0.005, period);
    const bar = (level: AdaptiveLevel, n: number, missed: boolean) => {
      level.atBar(n);
      for (const run of RUNS) level.add(run, level.periodNow, missed);
    };
    for (let n = 0; n < 3 * period; n++) bar(missedFirst, n, true);
    expect(missedFirst.level(missedFirst.inUse)).toBeLessThan(0); // widest: every outcome missed
    for (let n = 3 * period; n < 5 * period; n++) {
      bar(missedFirst, n, false);
      bar(hitsOnly, n, false);
      const [a, b] = [missedFirst.level(missedFirst.inUse), hitsOnly.level(hitsOnly.inUse)];
      // The run in use started before the hits until the second period of hits.
      if (n < 4 * period) expect(a).toBeLessThan(b);
      else expect(a).toBe(b);
    }
    expect(hitsOnly.level(hitsOnly.inUse)).toBeCloseTo(0.2 + 0.005 * 0.2 * 2 * period, 12);
  });

  it('counts an outcome only in the run that set its interval', () => {
    const level = new AdaptiveLevel(0.2, 0.01, 10);
    level.atBar(5);
    const madeIn = level.periodNow;
    level.atBar(15); // period 1 restarts run 1: run 0, started in period 0, set that interval
    level.add(0, madeIn, true);
    level.add(1, madeIn, true);
    expect(level.level(0)).toBeCloseTo(0.2 - 0.01 * 0.8, 12);
    expect(level.level(1)).toBe(0.2);
  });

  it('names the bad option, and a bar number that is not whole', () => {
    expect(() => Forecaster.fromSpec('naive', 1, { adaptationWindow: 0 })).toThrow(
      /adaptationWindow/,
    );
    expect(() => Forecaster.fromSpec('naive', 1, { adaptationWindow: 1.5 })).toThrow(
      /adaptationWindow/,
    );
    expect(() => Forecaster.fromSpec('naive', 1).push(100, 2.5)).toThrow(/barNumber/);
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
