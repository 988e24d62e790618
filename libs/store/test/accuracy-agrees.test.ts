import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScoreAccumulator, type PredictionRecord, type ScoreMetrics } from '@cryptoviz/forecast';
import { createTestDatabase, storageFlavors, type TestDatabase } from '@cryptoviz/testkit';
import { accuracy, insertPredictions, scorePredictions, type RealizedClose } from '../src/index.ts';

/**
 * ScoreMetrics (libs/forecast) defines the score metrics; `accuracy` repeats them in SQL so the
 * database aggregates. These tests hold the SQL to ScoreAccumulator on the same forecasts, one
 * metric at a time, including the edge cases where the two could part: flat calls and flat
 * outcomes (direction ties), forecasts without error, and series with nothing scored.
 */

interface Pair {
  origin: number;
  point: number;
  realized: number;
}

const HOUR = 3_600_000;
const T0 = Date.UTC(2022, 0, 1);

/** A deterministic mix of moves up, down and flat, on both sides, in fractional prices. */
function mixedPairs(count: number): Pair[] {
  return Array.from({ length: count }, (_, i) => {
    const origin = 100 + ((i * 37) % 23) / 4;
    const call = (((i * 13) % 9) - 4) / 8; // zero one time in nine: a flat call
    const move = (((i * 7) % 11) - 5) / 4; // zero one time in eleven: a flat outcome
    return { origin, point: origin + call, realized: origin + move };
  });
}

/** Forecasts that hit the realized price exactly, moving or not. */
const PERFECT: Pair[] = [
  { origin: 100, point: 101, realized: 101 },
  { origin: 100, point: 99.5, realized: 99.5 },
  { origin: 100, point: 100, realized: 100 },
];

/** Nothing moves and nothing is called: no error, no direction, naive as good as it gets. */
const STILL: Pair[] = [
  { origin: 50, point: 50, realized: 50 },
  { origin: 50, point: 50, realized: 50 },
];

/** Every call right or wrong by the same amount, half each way: ties between right and wrong. */
const TIED: Pair[] = [
  { origin: 10, point: 11, realized: 12 },
  { origin: 10, point: 11, realized: 8 },
  { origin: 10, point: 9, realized: 8 },
  { origin: 10, point: 9, realized: 12 },
];

const SERIES: Record<string, Pair[]> = {
  MIXED: mixedPairs(500),
  PERFECT,
  STILL,
  TIED,
};

function recordsOf(symbol: string, pairs: readonly Pair[]): PredictionRecord[] {
  return pairs.map((pair, i) => ({
    model: 'm',
    algorithm: 'movingAverage',
    source: 'bin',
    symbol,
    horizonS: 3600,
    madeAt: new Date(T0 + i * HOUR).toISOString(),
    targetAt: new Date(T0 + (i + 1) * HOUR).toISOString(),
    originPrice: pair.origin,
    point: pair.point,
    lower: pair.point - 1,
    upper: pair.point + 1,
    confidence: 0.5,
    signal: 'HOLD',
  }));
}

function closesOf(symbol: string, pairs: readonly Pair[]): RealizedClose[] {
  return pairs.map((pair, i) => ({
    source: 'bin',
    symbol,
    time: new Date(T0 + (i + 1) * HOUR).toISOString(),
    price: pair.realized,
  }));
}

function scoredInTypeScript(pairs: readonly Pair[]): ScoreMetrics {
  const accumulator = new ScoreAccumulator();
  for (const pair of pairs) accumulator.add(pair.point, pair.realized, pair.origin);
  return accumulator.metrics();
}

const METRICS = [
  'n',
  'mae',
  'mape',
  'rmse',
  'directionalAccuracy',
  'directionCalls',
  'naiveMae',
  'skill',
] as const satisfies readonly (keyof ScoreMetrics)[];

/** Equal, or both null, or within rounding of float8 sums in a different order. */
function expectSame(sql: number | null, ts: number | null, label: string): void {
  if (ts === null || sql === null) {
    expect(sql, label).toBe(ts);
    return;
  }
  expect(Math.abs(sql - ts), `${label}: SQL ${sql}, TypeScript ${ts}`).toBeLessThanOrEqual(
    1e-12 * Math.max(1, Math.abs(ts)),
  );
}

describe.each(storageFlavors())('SQL accuracy agrees with ScoreMetrics on %s', (flavor) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(flavor);
    for (const [symbol, pairs] of Object.entries(SERIES)) {
      await insertPredictions(db.pool, recordsOf(symbol, pairs));
      await scorePredictions(db.pool, 'm', closesOf(symbol, pairs));
    }
    // Forecasts with nothing scored yet.
    await insertPredictions(db.pool, recordsOf('UNSCORED', mixedPairs(3)));
  });
  afterAll(async () => {
    await db.drop();
  });

  it.each(Object.keys(SERIES))('metric by metric on %s', async (symbol) => {
    const rows = await accuracy(db.pool, { symbol });
    expect(rows).toHaveLength(1);
    const sql = rows[0]!;
    const ts = scoredInTypeScript(SERIES[symbol]!);
    for (const metric of METRICS) expectSame(sql[metric], ts[metric], metric);
  });

  it('covers the edge cases it claims to', () => {
    const mixed = scoredInTypeScript(SERIES.MIXED!);
    expect(mixed.directionCalls).toBeGreaterThan(0);
    expect(mixed.directionCalls).toBeLessThan(mixed.n); // flat calls and outcomes among them
    expect(scoredInTypeScript(PERFECT)).toMatchObject({ mae: 0, skill: 1 });
    expect(scoredInTypeScript(STILL)).toMatchObject({ directionalAccuracy: null, skill: null });
    expect(scoredInTypeScript(TIED).directionalAccuracy).toBe(0.5);
  });

  it('gives no row where TypeScript scores nothing', async () => {
    expect(await accuracy(db.pool, { symbol: 'UNSCORED' })).toEqual([]);
    expect(scoredInTypeScript([])).toMatchObject({ n: 0, mae: null, skill: null });
  });
});
