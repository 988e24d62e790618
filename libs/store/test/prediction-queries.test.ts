import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionRecord } from '@cryptoviz/forecast';
import { createTestDatabase, type TestDatabase } from '@cryptoviz/testkit';
import {
  accuracy,
  insertPredictions,
  latestPredictions,
  predictionHistory,
  scorePredictions,
  type RealizedClose,
} from '../src/index.ts';

interface Forecast {
  model?: string;
  source?: string;
  symbol?: string;
  horizonS?: number;
  madeAt: string;
  originPrice: number;
  point: number;
}

function prediction(forecast: Forecast): PredictionRecord {
  const { model = 'ma', source = 'bin', symbol = 'BTC', horizonS = 3600, madeAt } = forecast;
  return {
    model,
    algorithm: model === 'ma' ? 'movingAverage' : 'ewma',
    source,
    symbol,
    horizonS,
    madeAt,
    targetAt: new Date(Date.parse(madeAt) + horizonS * 1000).toISOString(),
    originPrice: forecast.originPrice,
    point: forecast.point,
    lower: forecast.point - 5,
    upper: forecast.point + 5,
    confidence: 0.5,
    signal: 'HOLD',
  };
}

function close(time: string, price: number, source = 'bin', symbol = 'BTC'): RealizedClose {
  return { source, symbol, time, price };
}

const hour = (h: number) => new Date(Date.UTC(2021, 2, 1, h)).toISOString();

/**
 * ma/bin/BTC/1h, all realized at 100, so MAPE (a fraction) is MAE / 100:
 *
 *   origin  point  |error|  naive |origin − realized|  direction
 *       98    102        2                          2  up, up: right
 *      101    103        3                          1  up, down: wrong
 *      100     96        4                          0  no move: not counted
 *       95     95        5                          5  no call: not counted
 *      104    101        1                          4  down, down: right
 *
 * MAE 3, RMSE √(55/5) = √11, directional 2/3, naive MAE 12/5 = 2.4, skill 1 − 3/2.4 = −0.25.
 */
const HAND_COMPUTED = [
  { originPrice: 98, point: 102 },
  { originPrice: 101, point: 103 },
  { originPrice: 100, point: 96 },
  { originPrice: 95, point: 95 },
  { originPrice: 104, point: 101 },
].map((f, h) => prediction({ ...f, madeAt: hour(h) }));

/** Scored long ago (see OLD_SCORE), with an error of 6 that would move every metric. */
const SCORED_LONG_AGO = prediction({ madeAt: hour(5), originPrice: 100, point: 106 });
const OLD_SCORE = '2024-06-01T00:00:00.000Z';
const UNSCORED = prediction({ madeAt: hour(6), originPrice: 100, point: 107 });

const OTHERS = {
  /** ETH: errors 1 and 0 (MAE 0.5), naive 2 and 0.5 (MAE 1.25): skill 0.6. */
  eth: [
    prediction({ symbol: 'ETH', madeAt: hour(0), originPrice: 10, point: 11 }),
    prediction({ symbol: 'ETH', madeAt: hour(1), originPrice: 10, point: 10.5 }),
  ],
  /** Nothing moved: naive MAE 0 leaves skill undefined, and no direction was called. */
  ewma: prediction({ model: 'ewma', madeAt: hour(0), originPrice: 100, point: 100 }),
  sixHours: prediction({ horizonS: 21_600, madeAt: hour(12), originPrice: 100, point: 110 }),
  otherSource: prediction({ source: 'cb', madeAt: hour(2), originPrice: 100, point: 99 }),
};

describe('prediction queries', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    const { pool } = db;
    await insertPredictions(pool, [
      ...HAND_COMPUTED,
      SCORED_LONG_AGO,
      UNSCORED,
      ...OTHERS.eth,
      OTHERS.ewma,
      OTHERS.sixHours,
      OTHERS.otherSource,
    ]);
    // Targets hour(1)..hour(6); hour(7), UNSCORED's target, has not closed yet.
    await scorePredictions(
      pool,
      'ma',
      [1, 2, 3, 4, 5, 6].map((h) => close(hour(h), 100)),
    );
    await scorePredictions(pool, 'ma', [
      close(hour(1), 12, 'bin', 'ETH'),
      close(hour(2), 10.5, 'bin', 'ETH'),
      close(hour(18), 105),
      close(hour(3), 98, 'cb'),
    ]);
    await scorePredictions(pool, 'ewma', [close(hour(1), 100)]);
    await pool.query(
      `UPDATE predictions SET scored_at = $1
       WHERE model = 'ma' AND source = 'bin' AND symbol = 'BTC' AND made_at = $2`,
      [OLD_SCORE, SCORED_LONG_AGO.madeAt],
    );
  });
  afterAll(async () => {
    await db.drop();
  });

  describe('accuracy', () => {
    const justAfterOldScore = new Date(Date.parse(OLD_SCORE) + 1);

    it('computes the backtest metrics on a hand-computed set', async () => {
      const [row, ...rest] = await accuracy(db.pool, {
        model: 'ma',
        symbol: 'BTC',
        horizonS: 3600,
        since: justAfterOldScore,
      });
      expect(rest).toHaveLength(1); // source cb, checked below
      expect(row).toMatchObject({
        model: 'ma',
        algorithm: 'movingAverage',
        source: 'bin',
        symbol: 'BTC',
        horizonS: 3600,
        n: 5,
      });
      expect(row!.mae).toBeCloseTo(3, 12);
      expect(row!.mape).toBeCloseTo(0.03, 12);
      expect(row!.rmse).toBeCloseTo(Math.sqrt(11), 12);
      expect(row!.directionalAccuracy).toBeCloseTo(2 / 3, 12);
      expect(row!.skill).toBeCloseTo(-0.25, 12);
    });

    it('reports positive skill, and none when naive made no error', async () => {
      const [eth] = await accuracy(db.pool, { symbol: 'ETH', since: justAfterOldScore });
      expect(eth).toMatchObject({ model: 'ma', symbol: 'ETH', n: 2, directionalAccuracy: 1 });
      expect(eth!.mae).toBeCloseTo(0.5, 12);
      expect(eth!.mape).toBeCloseTo((1 / 12 + 0) / 2, 12);
      expect(eth!.skill).toBeCloseTo(0.6, 12);

      const [ewma] = await accuracy(db.pool, { model: 'ewma', since: justAfterOldScore });
      expect(ewma).toMatchObject({
        model: 'ewma',
        n: 1,
        mae: 0,
        mape: 0,
        rmse: 0,
        directionalAccuracy: null,
        skill: null,
      });
    });

    it('windows by when forecasts were scored, not when they were made', async () => {
      // Every forecast was made in 2021: a made_at window would leave nothing.
      const recent = await accuracy(db.pool, {
        model: 'ma',
        symbol: 'BTC',
        since: justAfterOldScore,
      });
      expect(recent.find((r) => r.source === 'bin' && r.horizonS === 3600)!.n).toBe(5);

      // `since` is inclusive: the forecast scored exactly then counts, moving MAE to 21/6.
      const [withOld] = await accuracy(db.pool, {
        model: 'ma',
        symbol: 'BTC',
        horizonS: 3600,
        since: new Date(OLD_SCORE),
      });
      expect(withOld).toMatchObject({ source: 'bin', n: 6 });
      expect(withOld!.mae).toBeCloseTo(3.5, 12);

      const [dbNow] = (
        await db.pool.query<{ now: Date }>("SELECT now() + interval '1 minute' AS now")
      ).rows;
      expect(await accuracy(db.pool, { since: dbNow!.now })).toEqual([]);
    });

    it('filters by model, symbol and horizon, one row per model, source, symbol, horizon', async () => {
      const all = await accuracy(db.pool, { since: justAfterOldScore });
      expect(all.map((r) => [r.model, r.source, r.symbol, r.horizonS, r.n])).toEqual([
        ['ewma', 'bin', 'BTC', 3600, 1],
        ['ma', 'bin', 'BTC', 3600, 5],
        ['ma', 'bin', 'BTC', 21_600, 1],
        ['ma', 'bin', 'ETH', 3600, 2],
        ['ma', 'cb', 'BTC', 3600, 1],
      ]);
      const sixHours = await accuracy(db.pool, { horizonS: 21_600, since: justAfterOldScore });
      expect(sixHours).toMatchObject([{ model: 'ma', horizonS: 21_600, n: 1, mae: 5 }]);
      expect(
        await accuracy(db.pool, { model: 'ewma', symbol: 'ETH', since: justAfterOldScore }),
      ).toEqual([]);
      expect(await accuracy(db.pool, { model: 'nope', since: new Date(0) })).toEqual([]);
    });
  });

  describe('latestPredictions', () => {
    const key = (p: { model: string; source: string; symbol: string; horizonS: number }) =>
      `${p.model}/${p.source}/${p.symbol}/${p.horizonS}`;

    it('returns the newest forecast per model, source, symbol and horizon', async () => {
      const latest = await latestPredictions(db.pool);
      expect(latest.map((p) => [key(p), p.madeAt])).toEqual([
        ['ewma/bin/BTC/3600', hour(0)],
        ['ma/bin/BTC/3600', hour(6)],
        ['ma/bin/BTC/21600', hour(12)],
        ['ma/bin/ETH/3600', hour(1)],
        ['ma/cb/BTC/3600', hour(2)],
      ]);
      // The newest ma/bin/BTC/1h forecast is not scored yet; the newest ETH one is.
      expect(latest[1]).toMatchObject({ point: 107, realized: null, error: null, scoredAt: null });
      expect(latest[3]).toMatchObject({ point: 10.5, realized: 10.5, error: 0 });
    });

    it('filters by symbols and by models, each a list', async () => {
      const eth = await latestPredictions(db.pool, { symbols: ['ETH'] });
      expect(eth.map(key)).toEqual(['ma/bin/ETH/3600']);
      const ewma = await latestPredictions(db.pool, { models: ['ewma'] });
      expect(ewma.map(key)).toEqual(['ewma/bin/BTC/3600']);
      const both = await latestPredictions(db.pool, { symbols: ['BTC', 'SOL'], models: ['ma'] });
      expect(both.map(key)).toEqual(['ma/bin/BTC/3600', 'ma/bin/BTC/21600', 'ma/cb/BTC/3600']);
      expect(await latestPredictions(db.pool, { symbols: ['ETH'], models: ['ewma'] })).toEqual([]);
    });
  });

  describe('predictionHistory', () => {
    const query = {
      model: 'ma',
      symbol: 'BTC',
      horizonS: 3600,
      from: new Date(hour(0)),
      to: new Date(hour(24)),
    };

    it('returns forecasts oldest first with realized price, error and when scored', async () => {
      const history = await predictionHistory(db.pool, { ...query, source: 'bin' });
      expect(history.map((p) => [p.madeAt, p.point, p.realized, p.error])).toEqual([
        [hour(0), 102, 100, -2],
        [hour(1), 103, 100, -3],
        [hour(2), 96, 100, 4],
        [hour(3), 95, 100, 5],
        [hour(4), 101, 100, -1],
        [hour(5), 106, 100, -6],
        [hour(6), 107, null, null],
      ]);
      expect(history[5]!.scoredAt).toBe(OLD_SCORE);
      expect(history[0]!.scoredAt).not.toBeNull();
      expect(history[6]!.scoredAt).toBeNull();
      expect(history[0]).toMatchObject({
        source: 'bin',
        algorithm: 'movingAverage',
        targetAt: hour(1),
        originPrice: 98,
      });
    });

    it('takes every source unless one is named', async () => {
      const all = await predictionHistory(db.pool, query);
      expect(all.map((p) => [p.madeAt, p.source])).toContainEqual([hour(2), 'cb']);
      expect(all).toHaveLength(8);
      const cb = await predictionHistory(db.pool, { ...query, source: 'cb' });
      expect(cb).toMatchObject([
        { source: 'cb', madeAt: hour(2), point: 99, realized: 98, error: -1 },
      ]);
      expect(await predictionHistory(db.pool, { ...query, source: 'kraken' })).toEqual([]);
    });

    it('keeps to [from, to), the horizon and the limit', async () => {
      const window = await predictionHistory(db.pool, {
        ...query,
        source: 'bin',
        from: new Date(hour(1)),
        to: new Date(hour(3)),
      });
      expect(window.map((p) => p.madeAt)).toEqual([hour(1), hour(2)]);
      const sixHours = await predictionHistory(db.pool, { ...query, horizonS: 21_600 });
      expect(sixHours.map((p) => [p.madeAt, p.realized])).toEqual([[hour(12), 105]]);
      const limited = await predictionHistory(db.pool, { ...query, source: 'bin', limit: 2 });
      expect(limited.map((p) => p.madeAt)).toEqual([hour(0), hour(1)]);
    });
  });
});
