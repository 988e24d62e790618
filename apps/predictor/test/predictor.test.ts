import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { publishTicks } from '@cryptoviz/bus';
import { Forecaster } from '@cryptoviz/forecast';
import { predictionModelSpecSchema } from '@cryptoviz/resources';
import { createLogger } from '@cryptoviz/runtime';
import { accuracy, insertTicks, latestPredictions, predictionHistory } from '@cryptoviz/store';
import { eventually } from '@cryptoviz/testkit';
import {
  BarBuilder,
  historyBarsFor,
  toModelSpec,
  type Predictor,
  type PredictorOptions,
} from '../src/index.ts';
import {
  allBars,
  createEnv,
  dropEnv,
  HOUR,
  publishedInStream,
  spec,
  startOn,
  stored,
  storedCount,
  ticksOf,
  type Env,
} from './support.ts';

const bars = allBars.slice(0, 260);
const ticks = ticksOf(bars);
// The stream holds bar 199 onwards; the database already has the bars before it.
const HISTORY = 199;

describe('bars and model specs', () => {
  it('builds event-time bars, ignores late ticks and forward-fills silent bars', () => {
    const builder = new BarBuilder(HOUR);
    expect(builder.push(10 * HOUR + 5, 100)).toEqual([]);
    expect(builder.push(10 * HOUR + 900, 101)).toEqual([]);
    expect(builder.push(9 * HOUR, 50)).toEqual([]); // late: its bar has closed
    expect(builder.push(13 * HOUR + 1, 102)).toEqual([
      { time: 11 * HOUR, close: 101, filled: false },
      { time: 12 * HOUR, close: 101, filled: true },
      { time: 13 * HOUR, close: 101, filled: true },
    ]);
  });

  it('translates a consensus resource into the forecasting library spec', () => {
    const consensus = predictionModelSpecSchema.parse({
      algorithm: 'consensus',
      symbols: ['BTC'],
      members: [
        { algorithm: 'movingAverage', params: { window: 20 }, weight: 0.4 },
        { algorithm: 'linearTrend', weight: 0.4 },
        { algorithm: 'momentum', weight: 0.2 },
      ],
    });
    expect(toModelSpec(consensus).text).toBe(
      'consensus:members=movingAverage(window=20)+linearTrend+momentum,weights=0.4+0.4+0.2',
    );
    expect(toModelSpec(spec).text).toBe('movingAverage:window=5');
  });

  it('loads what the forecasters remember, or the history the model needs plus the extra bars', () => {
    const withWindow = (window: number) => ({ ...spec, params: { window } });
    const remembered = (window: number) =>
      Forecaster.fromSpec(`movingAverage:window=${window}`, 6).memoryBars;
    // By default the longest horizon's memory, which covers the calibration's window.
    expect(historyBarsFor(withWindow(5))).toBe(remembered(5));
    expect(historyBarsFor(withWindow(10_000))).toBe(remembered(10_000));
    expect(remembered(5)).toBeGreaterThan(4_320);
    expect(historyBarsFor(withWindow(5), undefined, { calibrate: false })).toBeLessThan(
      remembered(5),
    );
    // Forecaster.needed at the 6-bar horizon: window + horizon + 24 residuals − 1.
    expect(historyBarsFor(withWindow(5), 100)).toBe(5 + 6 + 23 + 100);
    expect(historyBarsFor(withWindow(10_000), 0)).toBe(10_000 + 6 + 23);
  });
});

describe('predictor', () => {
  const envs: Env[] = [];
  const running: Predictor[] = [];
  beforeEach(async () => {
    envs.push(await createEnv(), await createEnv());
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
    await Promise.all(envs.splice(0).map(dropEnv));
  });

  const start = (env: Env, overrides: Partial<PredictorOptions> = {}) =>
    startOn(env, running, overrides);

  /** A worker that saw history then live ticks up to bar 229, and was stopped there. */
  async function runUntilMidway(env: Env): Promise<Predictor> {
    await insertTicks(env.db.pool, ticks.slice(0, HISTORY));
    const worker = await start(env);
    await publishTicks(env.bus.nc, env.bus.topo, ticks.slice(HISTORY, 230));
    const midway = new Date(bars[229]!.time).toISOString();
    const startedAt = new Date().toISOString();
    await eventually(
      async () => worker.status().lastPredictionAt,
      (t) => t === midway,
    );
    // Stored by the clock just now, though the forecasts' own times are the bars'.
    expect(worker.status().lastStoredAt! >= startedAt).toBe(true);
    await worker.stop();
    running.splice(running.indexOf(worker), 1);
    return worker;
  }

  const lastBarClose = new Date(bars[259]!.time).toISOString(); // bar 258 closes when 259 opens

  it('forecasts each closed bar, scores realized ones, and a restart neither loses nor duplicates', async () => {
    const [steady, restarted] = envs as [(typeof envs)[0], (typeof envs)[0]];

    // A worker that runs throughout.
    await insertTicks(steady.db.pool, ticks.slice(0, HISTORY));
    const one = await start(steady);
    await publishTicks(steady.bus.nc, steady.bus.topo, ticks.slice(HISTORY));
    await eventually(
      async () => one.status().lastPredictionAt,
      (t) => t === lastBarClose,
    );

    // A worker stopped halfway; the writer stores what it missed; another worker takes over.
    await runUntilMidway(restarted);
    await publishTicks(restarted.bus.nc, restarted.bus.topo, ticks.slice(230));
    await insertTicks(restarted.db.pool, ticks.slice(HISTORY, 245));
    const second = await start(restarted);
    await eventually(
      async () => second.status().lastPredictionAt,
      (t) => t === lastBarClose,
    );

    const reference = await stored(steady.db);
    expect(await stored(restarted.db)).toEqual(reference);

    // Every bar from the first forecastable one to the last closed one has one forecast per horizon.
    const madeAt = (h: number) =>
      reference.filter((r) => r.horizon_s === h).map((r) => r.made_at.getTime());
    for (const h of [3600, 21600]) {
      const times = madeAt(h);
      expect(times.at(-1)).toBe(Date.parse(lastBarClose));
      times.slice(1).forEach((t, i) => expect(t - times[i]!).toBe(HOUR));
    }
    // The 1h forecasts made on bar i are realized by bar i+1's close; the newest are still open.
    const hourly = reference.filter((r) => r.horizon_s === 3600);
    const realizedAt = new Map(bars.map((b) => [b.time + HOUR, b.close]));
    for (const row of hourly.slice(0, -1)) {
      expect(row.realized).toBe(realizedAt.get(row.target_at.getTime()));
    }
    expect(hourly.at(-1)!.realized).toBeNull();
    // The forecast itself is the 5-bar moving average of the closes up to its bar.
    const lastRow = hourly.at(-1)!;
    const closes = bars.slice(254, 259).map((b) => b.close);
    expect(lastRow.point).toBeCloseTo(closes.reduce((a, b) => a + b, 0) / 5, 9);

    const [score1h] = await accuracy(steady.db.pool, {
      model: 'default/ma5',
      horizonS: 3600,
      since: new Date(0),
    });
    expect(score1h).toMatchObject({
      model: 'default/ma5',
      source: 'default/replay-btc',
      symbol: 'BTC',
      n: hourly.length - 1,
    });
    const mae =
      hourly.slice(0, -1).reduce((s, r) => s + Math.abs(r.point - r.realized), 0) /
      (hourly.length - 1);
    expect(score1h!.mae).toBeCloseTo(mae, 6);
    expect(score1h!.skill).toBeLessThan(1);
    expect(score1h!.directionalAccuracy).toEqual(expect.any(Number));
    expect(score1h!.mape).toEqual(expect.any(Number));

    const latest = await latestPredictions(steady.db.pool, { symbols: ['BTC'] });
    expect(latest.map((p) => [p.horizonS, p.madeAt])).toEqual([
      [3600, lastBarClose],
      [21600, lastBarClose],
    ]);
    const history = await predictionHistory(steady.db.pool, {
      model: 'default/ma5',
      symbol: 'BTC',
      horizonS: 21_600,
      from: new Date(0),
      to: new Date(),
    });
    expect(history).toHaveLength(madeAt(21600).length);
    const live = one.status();
    expect(live.bySeries['default/replay-btc/BTC']!['3600']!.n).toBeGreaterThan(0);
    expect(live.accuracy).toBeGreaterThan(0);
    expect(live.accuracy).toBeLessThanOrEqual(1);
    expect(live.skill).toEqual(expect.any(Number));
    // The status's figures are the pool of its series' metrics, each weighed by what it scored.
    const series = Object.values(live.bySeries).flatMap((h) => Object.values(h));
    expect(live.scores.n).toBe(series.reduce((sum, m) => sum + m.n, 0));
    expect(live.accuracy).toBe(live.scores.directionalAccuracy);
    expect(live.skill).toBe(live.scores.skill);
    // Scored pairs of both horizons were tested against naive; the verdict reads the p-value.
    expect(live.skillVerdict).not.toBe('too-few-pairs');
    expect(live.skillPValue).toEqual(expect.any(Number));
    if (live.skillVerdict === 'no-detectable-difference') {
      expect(live.skillPValue).toBeGreaterThanOrEqual(0.05);
    } else {
      expect(live.skillPValue).toBeLessThan(0.05);
      expect(live.skillVerdict).toBe(live.skill! > 0 ? 'beats-naive' : 'worse-than-naive');
    }
    expect(live.predictionsPublished).toBe(reference.length);
  });

  it('a restart publishes only forecasts not stored before, even past the duplicate window', async () => {
    const env = envs[0]!;
    // Stands for a restart later than the 2-minute production window: JetStream no longer
    // drops a re-published forecast as a duplicate.
    await env.bus.jsm.streams.update(env.bus.topo.streams.predictions, {
      duplicate_window: 500_000_000, // ns
    });
    const first = await runUntilMidway(env);
    const storedBefore = await storedCount(env.db);
    expect(first.status().predictionsPublished).toBe(storedBefore);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // past the duplicate window

    // The writer stored what the first worker saw; the next one re-forecasts all of it.
    await insertTicks(env.db.pool, ticks.slice(HISTORY, 230));
    const second = await start(env);
    expect(second.status().predictionsPublished).toBe(0);
    await publishTicks(env.bus.nc, env.bus.topo, ticks.slice(230));
    await eventually(
      async () => second.status().lastPredictionAt,
      (t) => t === lastBarClose,
    );

    const storedAfter = await storedCount(env.db);
    expect(storedAfter).toBeGreaterThan(storedBefore);
    expect(first.status().predictionsPublished + second.status().predictionsPublished).toBe(
      storedAfter,
    );
    expect(await publishedInStream(env.bus)).toBe(storedAfter);
  });

  it('publishes at its start what a predecessor stored but was killed before publishing, once', async () => {
    const env = envs[0]!;
    const stream = env.bus.topo.streams.predictions;
    // Past the duplicate window, only the stored flag can keep a forecast from going twice.
    await env.bus.jsm.streams.update(stream, { duplicate_window: 500_000_000 }); // ns
    await runUntilMidway(env);
    // The state a kill -9 between storing and publishing leaves: the newest bar's forecasts
    // stored, unpublished, and not in the stream.
    const { state } = await env.bus.jsm.streams.info(stream);
    const newest = [state.last_seq, state.last_seq - 1];
    for (const seq of newest) await env.bus.jsm.streams.deleteMessage(stream, seq);
    const unflagged = await env.db.pool.query(
      `UPDATE predictions SET published_at = NULL
       WHERE made_at = (SELECT max(made_at) FROM predictions)`,
    );
    expect(unflagged.rowCount).toBe(newest.length);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // past the duplicate window
    const storedBefore = await storedCount(env.db);

    const second = await start(env);
    expect(second.status().predictionsPublished).toBe(newest.length);
    expect(await publishedInStream(env.bus)).toBe(storedBefore);
    const left = await env.db.pool.query('SELECT 1 FROM predictions WHERE published_at IS NULL');
    expect(left.rowCount).toBe(0);

    await second.stop();
    running.splice(running.indexOf(second), 1);
    const third = await start(env);
    expect(third.status().predictionsPublished).toBe(0);
    expect(await publishedInStream(env.bus)).toBe(storedBefore);
  });

  it('forecasts at once after a start with a window longer than the extra history', async () => {
    const env = envs[0]!;
    const extra = 3_000;
    const window = 3_500;
    const longWindow = predictionModelSpecSchema.parse({
      ...spec,
      params: { window },
      horizons: ['1h'],
    });
    const long = allBars.slice(0, 7_000);
    await insertTicks(env.db.pool, ticksOf(long));
    const predictor = await start(env, { spec: longWindow, historyBars: extra });

    // The newest bar stays open, so the last forecast is made on the close of the one before.
    const [latest] = await latestPredictions(env.db.pool, { symbols: ['BTC'] });
    expect(latest?.madeAt).toBe(new Date(long.at(-1)!.time).toISOString());
    const closes = long.slice(-1 - window, -1).map((b) => b.close);
    expect(latest!.point).toBeCloseTo(closes.reduce((a, b) => a + b, 0) / window, 6);
    // Every bar of the extra history has its forecast too, so intervals rest on a full window.
    expect(await storedCount(env.db)).toBe(extra + 1);
    expect(predictor.status().predictionsPublished).toBe(extra + 1);
  });

  it('follows the ticks of its own namespace only: another team’s namesake never reaches it', async () => {
    const env = envs[0]!;
    await insertTicks(env.db.pool, ticks.slice(0, HISTORY));
    const worker = await start(env);
    const namesake = ticks
      .slice(HISTORY, 230)
      .map((t) => ({ ...t, source: 'team-x/replay-btc', price: t.price * 10 }));
    await publishTicks(env.bus.nc, env.bus.topo, namesake);
    await publishTicks(env.bus.nc, env.bus.topo, ticks.slice(HISTORY, 230));
    const midway = new Date(bars[229]!.time).toISOString();
    await eventually(
      async () => worker.status().lastPredictionAt,
      (t) => t === midway,
    );
    // Subscribed with the namespace in its filter, it received none of team-x's to drop.
    expect(worker.status().ignoredTicks).toBe(0);
    expect(Object.keys(worker.status().bySeries)).toEqual(['default/replay-btc/BTC']);
  });

  it('says the forecasts were not stored when the database refused them', async () => {
    const env = envs[0]!;
    const quiet = createLogger('predictor-test', 'silent');
    const logged = vi.spyOn(quiet, 'error');
    await insertTicks(env.db.pool, ticks.slice(0, HISTORY));
    await start(env, { log: quiet });
    // From now on every new forecast breaks a rule, an error retrying would not cure.
    await env.db.pool.query(
      'ALTER TABLE predictions ADD CONSTRAINT refuse_new CHECK (false) NOT VALID',
    );
    await publishTicks(env.bus.nc, env.bus.topo, ticks.slice(HISTORY, HISTORY + 3));
    const calls = await eventually(
      async () => logged.mock.calls,
      (c) => c.length > 0,
    );
    const message = calls[0]![1];
    expect(message).toMatch(/could not store forecasts/);
    expect(message).not.toMatch(/publish forecasts/);
  });
});
