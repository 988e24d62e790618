import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dieboldMariano, reliability, type PredictionRecord } from '@cryptoviz/forecast';
import { insertPredictions, insertTicks, scorePredictions } from '@cryptoviz/store';
import { horizonStepsOf } from '@cryptoviz/api';
import { prediction, tick } from './fixtures.ts';
import { failure, startTestGateway, type TestGateway } from './support.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2021, 5, 1);
const at = (h: number) => new Date(T0 + h * HOUR);

const MODEL = `apiVersion: cryptoviz.dev/v1alpha1
kind: PredictionModel
metadata: { name: ridge-btc }
spec: { algorithm: naive, symbols: [BTC], sources: [sim], horizons: [1h, 3h], suspend: true }
`;

/**
 * 40 hourly 1h forecasts and 40 hourly 3h ones, each from 100, of a price that is
 * 100 + 2..6 at every hour: the model's error is a tenth of naive's give or take, so it beats
 * naive clearly; its confidence varies and its calls go the wrong way every fourth time.
 */
const PAIRS = 40;
const priceAt = (h: number) => 100 + 2 + (h % 5);
function scoredForecast(i: number, horizonS: number) {
  const realized = priceAt(i + horizonS / 3_600);
  const miss = i % 4 === 3;
  const record = prediction('ridge-btc', at(i), 100, miss ? 99.5 : realized - 0.1 * (i % 3), {
    horizonS,
    confidence: 0.5 + (i % 5) / 10,
    lower: realized - 1,
    upper: i % 2 === 0 ? realized + 1 : realized - 0.5,
  });
  return { record, realized };
}

/**
 * sim/BTC candles: one tick at each hour's start (the open) and one at half past (the
 * close), the open rising by 1 an hour from 100.
 */
const CANDLE_HOURS = 12;
const openAt = (h: number) => 100 + h;
const closeAt = (h: number) => 100.5 + h;

describe('predictions: significance, calibration and the strategy', () => {
  let gw: TestGateway;
  const scored = Array.from({ length: PAIRS }, (_, i) => [
    scoredForecast(i, 3_600),
    scoredForecast(i, 10_800),
  ]).flat();

  beforeAll(async () => {
    gw = await startTestGateway();
    writeFileSync(join(gw.manifests, 'model.yaml'), MODEL);
    await insertPredictions(
      gw.db.pool,
      scored.map((s) => s.record),
    );
    await scorePredictions(
      gw.db.pool,
      'default/ridge-btc',
      Array.from({ length: PAIRS + 3 }, (_, h) => ({
        source: 'default/sim',
        symbol: 'BTC',
        time: at(h).toISOString(),
        price: priceAt(h),
      })),
    );
    // The strategy's series: another model, 2h horizon (1h candles), its own signals.
    const signals: [number, PredictionRecord['signal']][] = [
      [2, 'BUY'],
      [3, 'HOLD'],
      [5, 'SELL'],
      [7, 'BUY'],
      [8, 'BUY'],
    ];
    await insertPredictions(
      gw.db.pool,
      signals.map(([h, signal]) =>
        prediction('trader', at(h), 100, 100, { horizonS: 7_200, signal }),
      ),
    );
    // A model whose forecasts come after every stored candle.
    await insertPredictions(gw.db.pool, [
      prediction('late', at(30), 100, 100, { horizonS: 7_200, signal: 'BUY' }),
      prediction('quarter', at(8), 100, 100, { horizonS: 900, signal: 'BUY' }),
    ]);
    const ticks = [];
    for (let h = 0; h < CANDLE_HOURS; h++) {
      ticks.push(tick('sim', 'BTC', at(h), openAt(h)));
      ticks.push(tick('sim', 'BTC', new Date(at(h).getTime() + HOUR / 2), closeAt(h)));
    }
    await insertTicks(gw.db.pool, ticks);
  });
  afterAll(async () => {
    await gw.stop();
  });

  const ofHorizon = (horizonS: number) => scored.filter((s) => s.record.horizonS === horizonS);
  const modelLoss = (horizonS: number) =>
    ofHorizon(horizonS).map((s) => Math.abs(s.record.point - s.realized));
  const naiveLoss = (horizonS: number) =>
    ofHorizon(horizonS).map((s) => Math.abs(s.record.originPrice - s.realized));

  describe('accuracy', () => {
    it('tests the skill against naive with the overlap of the horizon', async () => {
      const rows = await gw.client.predictions.accuracy.query({
        model: 'ridge-btc',
        windowDays: 30,
      });
      expect(rows.map((r) => r.horizonS)).toEqual([3_600, 10_800]);
      const [hourly, threeHours] = rows;
      expect(hourly!.significance).toEqual(dieboldMariano(modelLoss(3_600), naiveLoss(3_600), 1));
      expect(hourly!.significance).toMatchObject({ n: PAIRS, verdict: 'beats-naive' });
      expect(hourly!.significance.pValue).toBeLessThan(0.05);
      // Made every hour, three hours ahead: three consecutive targets overlap.
      expect(threeHours!.significance).toEqual(
        dieboldMariano(modelLoss(10_800), naiveLoss(10_800), 3),
      );
    });

    it('gives the reliability of the directional calls and the interval coverage', async () => {
      const [hourly] = await gw.client.predictions.accuracy.query({
        model: 'ridge-btc',
        horizonS: 3600,
        windowDays: 30,
      });
      const calls = ofHorizon(3_600);
      const expected = reliability(
        calls.map((s) => s.record.confidence),
        calls.map((s) => (s.record.point > 100 === s.realized > 100 ? 1 : 0)),
      );
      expect(hourly!.calibration).toEqual(expected);
      expect(hourly!.calibration.n).toBe(PAIRS);
      // Inside [lower, upper] for even i only (odd ones have upper below the realized price).
      expect(hourly!.intervalCoverage).toBeCloseTo(0.5, 12);
    });

    it('reads too few pairs as too few, not as a verdict', async () => {
      const rows = await gw.client.predictions.accuracy.query({
        model: 'ridge-btc',
        horizonS: 3600,
        windowDays: 0.2, // targets within 4.8 h of the newest: 5 pairs
      });
      expect(rows[0]!.n).toBe(5);
      expect(rows[0]!.significance).toMatchObject({ n: 5, verdict: 'too-few-pairs' });
    });
  });

  describe('horizonStepsOf', () => {
    it('divides the horizon by the usual spacing of the forecasts', () => {
      const hourly = [0, 1, 2, 3, 20, 21].map((h) => h * HOUR); // one pause
      expect(horizonStepsOf(hourly, 6 * HOUR)).toBe(6);
      expect(horizonStepsOf(hourly, HOUR)).toBe(1);
      expect(horizonStepsOf([0, 60_000, 120_000], 5 * 60_000)).toBe(5);
      expect(horizonStepsOf([0], HOUR)).toBe(1);
      expect(horizonStepsOf([], HOUR)).toBe(1);
    });
  });

  describe('strategy', () => {
    const query = { model: 'trader', symbol: 'BTC', horizonS: 7200, windowDays: 1 };

    it('fills each signal at the open of the candle that starts when it was made', async () => {
      const result = await gw.client.predictions.strategy.query({ ...query, feeRate: 0 });
      expect(result).toMatchObject({
        model: 'default/trader',
        source: 'default/sim',
        symbol: 'BTC',
        horizonS: 7_200,
        interval: '1h',
        signalledBars: 5,
        costs: { feeRate: 0, slippageRate: 0, allowShort: false },
      });
      // Candles from a day before the newest signal (hour 8) to the one it fills in.
      expect(result.bars).toBe(9);
      expect(result.equity.times).toEqual(Array.from({ length: 9 }, (_, h) => at(h).getTime()));
      // Long from hour 2's open to hour 5's, then from hour 7's open to the last close (hour 8).
      const expected = (openAt(5) / openAt(2)) * (closeAt(8) / openAt(7)) - 1;
      expect(result.strategy.totalReturn).toBeCloseTo(expected, 12);
      expect(result.strategy.trades).toBe(2);
      expect(result.strategy.feesPaid).toBe(0);
      expect(result.buyAndHold.totalReturn).toBeCloseTo(closeAt(8) / openAt(1) - 1, 12);
      expect(result.coinFlip.pValue).toBeGreaterThan(0);
    });

    it('charges fees per side, by default 0.1 %', async () => {
      const free = await gw.client.predictions.strategy.query({ ...query, feeRate: 0 });
      const charged = await gw.client.predictions.strategy.query(query);
      expect(charged.costs.feeRate).toBe(0.001);
      expect(charged.strategy.feesPaid).toBeGreaterThan(0);
      expect(charged.strategy.totalReturn).toBeLessThan(free.strategy.totalReturn);
      const shorting = await gw.client.predictions.strategy.query({ ...query, allowShort: true });
      expect(shorting.costs.allowShort).toBe(true);
    });

    it('refuses fees and slippage outside [0, 0.1], naming the field', async () => {
      for (const bad of [{ feeRate: 0.2 }, { feeRate: -0.001 }, { slippageRate: 0.5 }]) {
        const error = await failure(gw.client.predictions.strategy.query({ ...query, ...bad }));
        expect(error.data?.code).toBe('BAD_REQUEST');
        expect(error.message).toContain(Object.keys(bad)[0]);
      }
    });

    it('keeps to the limits and says what it did not find', async () => {
      const tooLong = await failure(
        gw.client.predictions.strategy.query({ ...query, windowDays: 100 }),
      );
      expect(tooLong.message).toContain('windowDays');
      const missing = await failure(
        gw.client.predictions.strategy.query({ ...query, model: 'nobody' }),
      );
      expect(missing.data?.code).toBe('NOT_FOUND');
      expect(missing.message).toContain('nobody');
      const otherSource = await failure(
        gw.client.predictions.strategy.query({ ...query, source: 'alt' }),
      );
      expect(otherSource.data?.code).toBe('NOT_FOUND');
    });

    it('trades on coarser candles when the window holds too many of the natural size', async () => {
      // 15m horizon: 1m candles, but 7 days of them are more than maxRows (5,000).
      const week = await gw.client.predictions.strategy.query({
        ...query,
        horizonS: 900,
        model: 'quarter',
        windowDays: 7,
      });
      expect(week).toMatchObject({ interval: '1h', bars: 9, signalledBars: 1 });
      const day = await gw.client.predictions.strategy.query({
        ...query,
        horizonS: 900,
        model: 'quarter',
        windowDays: 1,
      });
      expect(day.interval).toBe('1m');
    });

    it('says why when the window holds too few candles to trade', async () => {
      const tiny = await failure(
        gw.client.predictions.strategy.query({ ...query, model: 'late', windowDays: 0.2 }),
      );
      expect(tiny.data?.code).toBe('BAD_REQUEST');
      expect(tiny.message).toContain('at least 2 bars');
    });
  });

  it('serves a 90 s horizon asked for in seconds, as forecasts carry it, not rounded to 2m', async () => {
    await insertPredictions(gw.db.pool, [prediction('ninety', at(3), 100, 101, { horizonS: 90 })]);
    const asked = {
      model: 'ninety',
      symbol: 'BTC',
      from: at(0).toISOString(),
      to: at(4).toISOString(),
    };
    const history = await gw.client.predictions.history.query({ ...asked, horizonS: 90 });
    expect(history.map((p) => [p.horizonS, p.madeAt])).toEqual([[90, at(3).toISOString()]]);
    expect(await gw.client.predictions.history.query({ ...asked, horizonS: 120 })).toEqual([]);
  });
});
