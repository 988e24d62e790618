import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { publishTicks } from '@cryptoviz/bus';
import { createLogger } from '@cryptoviz/runtime';
import { insertTicks } from '@cryptoviz/store';
import { eventually } from '@cryptoviz/testkit';
import {
  BarBuilder,
  historyBarsFor,
  SeriesForecaster,
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
  stored,
  startOn,
  storedCount,
  ticksOf,
  type Env,
} from './support.ts';

// A restart's history: what the forecasters remember, calibration and adaptation included.
const HISTORY = historyBarsFor(spec);
// Bars stored before the first worker stopped: more than a restart's history, so the second
// worker's model starts from a later bar than the reference's and must still agree with it.
const FIRST = HISTORY + 1_500;
// Bars stored while no worker ran: more than a restart's history too.
const DOWN = HISTORY + 500;
// Bars that reach the stream after the restart.
const LIVE = 12;
const bars = allBars.slice(0, FIRST + DOWN + LIVE);
const ticks = ticksOf(bars);
const [before, downtime, live] = [
  ticks.slice(0, FIRST),
  ticks.slice(FIRST, FIRST + DOWN),
  ticks.slice(FIRST + DOWN),
];
const HORIZONS = spec.horizons.length;
// The newest stored bar stays open: the last forecast is made when it opened.
const lastBeforeStop = bars[FIRST - 1]!.time;
const openAtRestart = bars[FIRST + DOWN - 1]!.time;
const lastClose = bars.at(-1)!.time;
// Bars that closed while no worker ran, counted by the clock: the data has a few silent hours.
const downtimeBars = (openAtRestart - lastBeforeStop) / HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

const running: Predictor[] = [];
const start = (env: Env, overrides: Partial<PredictorOptions> = {}) =>
  startOn(env, running, overrides);

async function stop(worker: Predictor) {
  running.splice(running.indexOf(worker), 1);
  await worker.stop();
}

/** The sample model's forecasts with raw confidence and fixed interval levels, by horizon@madeAt. */
function rawForecasts(): Map<string, { confidence: number; lower: number }> {
  const builder = new BarBuilder(HOUR);
  const series = new SeriesForecaster(
    {
      model: 'default/ma5',
      algorithm: spec.algorithm,
      source: 'default/replay-btc',
      symbol: 'BTC',
    },
    toModelSpec(spec),
    HOUR,
    [HOUR, 6 * HOUR],
    spec.signal,
    { calibrate: false, intervalAdaptation: 0 },
  );
  const out = new Map<string, { confidence: number; lower: number }>();
  for (const bar of bars) {
    for (const closed of builder.push(bar.time, bar.close)) {
      for (const p of series.onBar(closed).predictions) {
        out.set(`${p.horizonS}@${Date.parse(p.madeAt)}`, p);
      }
    }
  }
  return out;
}

/** Waits until the worker has forecast on the close of every bar. */
const forecastThroughLastBar = (worker: Predictor) =>
  eventually(
    async () => worker.status().lastPredictionAt,
    (t) => t === iso(lastClose),
  );

describe('predictor catch-up after a downtime', () => {
  let reference: Env;
  let referenceRows: Awaited<ReturnType<typeof stored>>;
  beforeAll(async () => {
    // A worker that ran throughout: its model fed every bar from the first, in order, and the
    // newest bars from the stream.
    reference = await createEnv();
    await insertTicks(reference.db.pool, [...before, ...downtime]);
    const worker = await start(reference, { historyBars: bars.length });
    await publishTicks(reference.bus.nc, reference.bus.topo, live);
    await forecastThroughLastBar(worker);
    await stop(worker);
    referenceRows = await stored(reference.db);
  });
  afterAll(() => dropEnv(reference));

  let env: Env;
  beforeEach(async () => {
    env = await createEnv();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
    await dropEnv(env);
  });

  /** A worker that forecast the first bars (from the very first, as the reference) and stopped. */
  async function runBeforeDowntime(): Promise<Predictor> {
    await insertTicks(env.db.pool, before);
    const first = await start(env, { historyBars: FIRST });
    expect(first.status().lastPredictionAt).toBe(iso(lastBeforeStop));
    await stop(first);
    // While no worker ran, the fetcher published the market and the writer stored it.
    await publishTicks(env.bus.nc, env.bus.topo, downtime);
    await insertTicks(env.db.pool, downtime);
    return first;
  }

  it('forecasts every bar of a long downtime once, as a worker that ran throughout did', async () => {
    expect(downtimeBars).toBeGreaterThan(HISTORY);
    const first = await runBeforeDowntime();
    // The newest ticks are on the stream, not yet in the database: the writer lags.
    await publishTicks(env.bus.nc, env.bus.topo, live.slice(0, LIVE / 2));
    const second = await start(env);
    // The stream, re-read from before the start, joins where the stored ticks end.
    await publishTicks(env.bus.nc, env.bus.topo, live.slice(LIVE / 2));
    await forecastThroughLastBar(second);

    // Every bar that closed while no worker ran, for every horizon, once.
    const rows = await stored(env.db);
    const inDowntime = rows.filter(
      (r) => r.made_at.getTime() > lastBeforeStop && r.made_at.getTime() <= openAtRestart,
    );
    expect(inDowntime).toHaveLength(downtimeBars * HORIZONS);
    // The same forecasts, scores included, as the reference: none missing, none changed.
    expect(rows).toEqual(referenceRows);
    for (const horizon of [3_600, 21_600]) {
      const times = rows.filter((r) => r.horizon_s === horizon).map((r) => r.made_at.getTime());
      times.slice(1).forEach((t, i) => expect(t - times[i]!).toBe(HOUR));
      expect(times.at(-1)).toBe(lastClose);
    }
    // Each published exactly once, though the second worker re-read stored bars and ticks.
    const count = await storedCount(env.db);
    expect(first.status().predictionsPublished + second.status().predictionsPublished).toBe(count);
    expect(await publishedInStream(env.bus)).toBe(count);
    // …calibrated confidences and adaptive intervals: raw ones and fixed levels would differ.
    const raw = rawForecasts();
    const differ = (pick: (r: (typeof rows)[number]) => number, field: 'confidence' | 'lower') =>
      inDowntime.filter((r) => {
        const same = raw.get(`${r.horizon_s}@${r.made_at.getTime()}`);
        return same !== undefined && pick(r) !== same[field];
      }).length / inDowntime.length;
    expect(differ((r) => r.confidence, 'confidence')).toBeGreaterThan(0.9);
    expect(differ((r) => r.lower, 'lower')).toBeGreaterThan(0.5);
  });

  it('past the bound, catches up the newest bars and logs the range it skipped', async () => {
    const maxBars = 1_000;
    const quiet = createLogger('predictor-test', 'silent');
    const warned = vi.spyOn(quiet, 'warn');
    await runBeforeDowntime();
    const second = await start(env, { log: quiet, catchUpMaxBars: maxBars });

    const lastSkipped = openAtRestart - maxBars * HOUR;
    const skipLines = warned.mock.calls.filter(([, message]) =>
      String(message).includes('PREDICTOR_CATCHUP_MAX_BARS'),
    );
    expect(skipLines).toEqual([
      [
        {
          source: 'default/replay-btc',
          symbol: 'BTC',
          from: iso(lastBeforeStop + HOUR),
          to: iso(lastSkipped),
          bars: downtimeBars - maxBars,
          maxBars,
        },
        expect.stringContaining('skipped'),
      ],
    ]);
    expect(second.status().predictionsPublished).toBe(maxBars * HORIZONS);

    await publishTicks(env.bus.nc, env.bus.topo, live);
    await forecastThroughLastBar(second);
    const rows = await stored(env.db);
    const made = (r: (typeof rows)[number]) => r.made_at.getTime();
    // Nothing in the skipped range; from its end on, the reference's forecasts, every one.
    expect(rows.filter((r) => made(r) > lastBeforeStop && made(r) <= lastSkipped)).toEqual([]);
    const after = (of: typeof rows) => of.filter((r) => made(r) > lastSkipped);
    expect(after(rows)).toEqual(after(referenceRows));
    expect(after(rows)).toHaveLength((maxBars + (lastClose - openAtRestart) / HOUR) * HORIZONS);
  });
});
