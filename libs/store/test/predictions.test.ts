import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionRecord } from '@cryptoviz/forecast';
import { createTestDatabase, type TestDatabase } from '@cryptoviz/testkit';
import {
  insertNewPredictions,
  insertPredictions,
  predictionHistory,
  scorePredictions,
} from '../src/index.ts';

function prediction(horizonS: number, madeAt: string, point = 101): PredictionRecord {
  return {
    model: 'ma',
    algorithm: 'movingAverage',
    source: 'bin',
    symbol: 'BTC',
    horizonS,
    madeAt,
    targetAt: new Date(Date.parse(madeAt) + horizonS * 1000).toISOString(),
    originPrice: 100,
    point,
    lower: 99,
    upper: 103,
    confidence: 0.5,
    signal: 'HOLD',
  };
}

describe('prediction storage', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reports which forecasts were new, so only those are published', async () => {
    const first = [
      prediction(3600, '2024-01-01T00:00:00.000Z'),
      prediction(21600, '2024-01-01T00:00:00.000Z'),
    ];
    expect(await insertNewPredictions(db.pool, first)).toEqual(first);

    const later = prediction(3600, '2024-01-01T01:00:00.000Z');
    const again = [
      // Already stored, spelled without milliseconds and forecast differently: still not new.
      prediction(3600, '2024-01-01T00:00:00Z', 999),
      later,
      { ...later, point: 555 }, // the same key twice in one batch: stored, and reported, once
      prediction(21600, '2024-01-01T00:00:00.000Z'),
    ];
    expect(await insertNewPredictions(db.pool, again)).toEqual([later]);
    expect(await insertNewPredictions(db.pool, again)).toEqual([]);
    expect(await insertPredictions(db.pool, again)).toBe(0);

    const stored = await db.pool.query('SELECT horizon_s, made_at, point FROM predictions');
    expect(stored.rows.map((r) => [r.horizon_s, r.made_at.toISOString(), r.point])).toEqual(
      expect.arrayContaining([
        [3600, '2024-01-01T00:00:00.000Z', 101],
        [21600, '2024-01-01T00:00:00.000Z', 101],
        [3600, '2024-01-01T01:00:00.000Z', 101],
      ]),
    );
    expect(stored.rowCount).toBe(3);
  });

  it('scores a forecast with the realized price and its error', async () => {
    await insertPredictions(db.pool, [prediction(3600, '2024-02-01T00:00:00.000Z', 104)]);
    const scored = await scorePredictions(db.pool, 'ma', [
      { source: 'bin', symbol: 'BTC', time: '2024-02-01T01:00:00.000Z', price: 101.5 },
    ]);
    expect(scored).toBe(1);
    const [row] = await predictionHistory(db.pool, {
      model: 'ma',
      symbol: 'BTC',
      horizonS: 3600,
      from: new Date('2024-02-01T00:00:00Z'),
      to: new Date('2024-02-01T00:00:01Z'),
      limit: 10,
    });
    expect(row).toMatchObject({ point: 104, realized: 101.5, error: -2.5 });
    expect(row!.scoredAt).not.toBeNull();
  });
});
