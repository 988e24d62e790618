import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionRecord, Signal } from '@cryptoviz/forecast';
import {
  createTestDatabase,
  priceTick,
  storageFlavors,
  type TestDatabase,
} from '@cryptoviz/testkit';
import {
  accuracy,
  candleIntervalFor,
  insertPredictions,
  insertTicks,
  scorePredictions,
  skillEvidence,
  strategyInputs,
} from '../src/index.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2019, 4, 1);
const at = (h: number) => new Date(T0 + h * HOUR).toISOString();

interface Call {
  h: number;
  origin: number;
  point: number;
  confidence: number;
  signal?: Signal;
  source?: string;
  lower?: number;
  upper?: number;
}

function forecast(call: Call): PredictionRecord {
  return {
    model: 'ma',
    algorithm: 'movingAverage',
    source: call.source ?? 'bin',
    symbol: 'BTC',
    horizonS: 3600,
    madeAt: at(call.h),
    targetAt: at(call.h + 1),
    originPrice: call.origin,
    point: call.point,
    lower: call.lower ?? call.point - 2,
    upper: call.upper ?? call.point + 2,
    confidence: call.confidence,
    signal: call.signal ?? 'HOLD',
  };
}

/**
 * bin/BTC/1h, every forecast realized at 100 (by the close of the hour after it):
 *
 *   h  origin  point  conf  |model|  |naive|  call                       inside [p−2, p+2]
 *   0      98    101   0.6        1        2  up, up: hit (1)            yes
 *   1     102    103   0.7        3        2  up, down: miss (0)         no
 *   2     100     97   0.9        3        0  price did not move: none   no
 *   3     101     99   0          1        1  confidence 0: none         yes
 *   4     103    104   0.8        4        3  up, down: miss (0)         no ([1, 6] below)
 */
const CALLS: Call[] = [
  { h: 0, origin: 98, point: 101, confidence: 0.6, signal: 'BUY' },
  { h: 1, origin: 102, point: 103, confidence: 0.7, signal: 'BUY' },
  { h: 2, origin: 100, point: 97, confidence: 0.9, signal: 'SELL' },
  { h: 3, origin: 101, point: 99, confidence: 0 },
  { h: 4, origin: 103, point: 104, confidence: 0.8, signal: 'SELL', lower: 101, upper: 106 },
];

describe.each(storageFlavors())('skill evidence and strategy inputs on %s', (flavor) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(flavor);
    await insertPredictions(db.pool, [
      ...CALLS.map(forecast),
      // Another source, newer: strategyInputs without a source takes it.
      forecast({ h: 9, origin: 100, point: 100, confidence: 0, source: 'cb' }),
    ]);
    await scorePredictions(
      db.pool,
      'ma',
      [1, 2, 3, 4, 5].map((h) => ({ source: 'bin', symbol: 'BTC', time: at(h), price: 100 })),
    );
    // Ticks of bin/BTC: two an hour (open at :00, close at :30) from hour 0 to hour 6.
    const ticks = [];
    for (let h = 0; h <= 6; h++) {
      ticks.push(priceTick(T0 + h * HOUR, 100 + h, { source: 'bin' }));
      ticks.push(priceTick(T0 + h * HOUR + HOUR / 2, 100.5 + h, { source: 'bin' }));
    }
    await insertTicks(db.pool, ticks);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('returns the per-pair losses in time order and the judged directional calls', async () => {
    const [series, ...others] = await skillEvidence(db.pool, { model: 'ma', maxPairs: 100 });
    expect(others).toEqual([]); // the cb forecast is not scored
    expect(series).toMatchObject({ model: 'ma', source: 'bin', symbol: 'BTC', horizonS: 3600 });
    expect(series!.madeAtMs).toEqual(CALLS.map((c) => T0 + c.h * HOUR));
    expect(series!.modelLoss).toEqual([1, 3, 3, 1, 4]);
    expect(series!.naiveLoss).toEqual([2, 2, 0, 1, 3]);
    expect(series!.callConfidence).toEqual([0.6, 0.7, 0.8]);
    expect(series!.callOutcome).toEqual([1, 0, 0]);
  });

  it('keeps the newest maxPairs and the accuracy window', async () => {
    const [newest] = await skillEvidence(db.pool, { model: 'ma', maxPairs: 2 });
    expect(newest!.madeAtMs).toEqual([T0 + 3 * HOUR, T0 + 4 * HOUR]);
    expect(newest!.modelLoss).toEqual([1, 4]);
    expect(newest!.callConfidence).toEqual([0.8]);
    // Targets within 2.5 h of the newest scored target (hour 5): hours 3, 4 and 5.
    const [windowed] = await skillEvidence(db.pool, {
      model: 'ma',
      seriesWindowMs: 2.5 * HOUR,
      maxPairs: 100,
    });
    expect(windowed!.naiveLoss).toEqual([0, 1, 3]);
    expect(await skillEvidence(db.pool, { model: 'nope', maxPairs: 10 })).toEqual([]);
  });

  it('reports interval coverage as a fraction beside the metrics', async () => {
    const [row] = await accuracy(db.pool, { model: 'ma' });
    expect(row!.n).toBe(5);
    expect(row!.intervalCoverage).toBeCloseTo(2 / 5, 12);
  });

  it('picks the largest candle not longer than the horizon', () => {
    expect(candleIntervalFor(15 * 60_000)).toBe('1m');
    expect(candleIntervalFor(HOUR)).toBe('1h');
    expect(candleIntervalFor(6 * HOUR)).toBe('1h');
    expect(candleIntervalFor(24 * HOUR)).toBe('1d');
    expect(candleIntervalFor(30_000)).toBe('1m');
    // A week of 1m candles is over 10,000 bars: with at most 5,000, hourly ones.
    const week = 7 * 24 * HOUR;
    expect(candleIntervalFor(15 * 60_000, { windowMs: week, maxBars: 5_000 })).toBe('1h');
    expect(candleIntervalFor(15 * 60_000, { windowMs: 3 * 24 * HOUR, maxBars: 5_000 })).toBe('1m');
    expect(candleIntervalFor(HOUR, { windowMs: 3650 * 24 * HOUR, maxBars: 10 })).toBe('1d');
  });

  it('returns signals and the candles of the same series over the window, plus one bar', async () => {
    const inputs = await strategyInputs(db.pool, flavor, {
      model: 'ma',
      symbol: 'BTC',
      horizonS: 3600,
      source: 'bin',
      windowMs: 3 * HOUR,
      maxRows: 100,
    });
    expect(inputs).toMatchObject({ source: 'bin', interval: '1h' });
    expect(inputs!.from.toISOString()).toBe(at(1));
    expect(inputs!.to.toISOString()).toBe(at(5));
    expect(inputs!.signals).toEqual([
      { madeAtMs: T0 + 1 * HOUR, signal: 'BUY' },
      { madeAtMs: T0 + 2 * HOUR, signal: 'SELL' },
      { madeAtMs: T0 + 3 * HOUR, signal: 'HOLD' },
      { madeAtMs: T0 + 4 * HOUR, signal: 'SELL' },
    ]);
    expect(inputs!.candles.map((c) => [c.time, c.open, c.high, c.low, c.close])).toEqual(
      [1, 2, 3, 4].map((h) => [at(h), 100 + h, 100.5 + h, 100 + h, 100.5 + h]),
    );
  });

  it('takes the newest forecast’s source when none is named, and bounds the signals', async () => {
    const cb = await strategyInputs(db.pool, flavor, {
      model: 'ma',
      symbol: 'BTC',
      horizonS: 3600,
      windowMs: HOUR,
      maxRows: 100,
    });
    expect(cb).toMatchObject({ source: 'cb', signals: [{ madeAtMs: T0 + 9 * HOUR }], candles: [] });
    const two = await strategyInputs(db.pool, flavor, {
      model: 'ma',
      symbol: 'BTC',
      horizonS: 3600,
      source: 'bin',
      windowMs: 10 * HOUR,
      maxRows: 2,
    });
    expect(two!.signals.map((s) => s.madeAtMs)).toEqual([T0 + 3 * HOUR, T0 + 4 * HOUR]);
    const none = await strategyInputs(db.pool, flavor, {
      model: 'ma',
      symbol: 'ETH',
      horizonS: 3600,
      windowMs: HOUR,
      maxRows: 10,
    });
    expect(none).toBeNull();
  });
});
