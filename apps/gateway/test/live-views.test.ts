import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPredictions, insertTicks, scorePredictions } from '@cryptoviz/store';
import { prediction, tick } from './fixtures.ts';
import {
  clientWithToken,
  putWorkerBeat,
  startTestGateway,
  TOKEN,
  type TestGateway,
} from './support.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const manifest = (kind: string, name: string, spec: string) =>
  `apiVersion: cryptoviz.dev/v1alpha1\nkind: ${kind}\nmetadata: { name: ${name} }\nspec: ${spec}\n`;

/** Live views against deleted resources and a replay's own time, on a gateway of its own. */
describe('live views: declared resources only, in the series own time', () => {
  let gw: TestGateway;
  const now = Date.now();
  /** A replay's newest candle: December 2018. */
  const replayEnd = Date.parse('2018-12-15T12:00:00Z');
  /** When the doomed model made its one forecast. */
  const madeAt = new Date(Math.floor(now / HOUR) * HOUR - 3 * HOUR);

  beforeAll(async () => {
    // Hot answers kept a minute: one from before a delete would certainly still be there after.
    gw = await startTestGateway({ GATEWAY_HOT_CACHE_MS: '60000' });
    writeFileSync(
      join(gw.manifests, 'more.yaml'),
      [
        manifest('CryptoSource', 'doomed', '{ provider: synthetic, symbols: [BTC], interval: 1s }'),
        manifest(
          'CryptoSource',
          'replay-2018',
          '{ provider: replay, symbols: [BTC], interval: 1s, replay: { data: { BTC: btc.csv } } }',
        ),
        manifest(
          'PredictionModel',
          'doomed-model',
          '{ algorithm: naive, symbols: [BTC], sources: [sim], horizons: [1h] }',
        ),
        manifest(
          'PredictionModel',
          'replay-model',
          '{ algorithm: naive, symbols: [BTC], sources: [replay-2018], horizons: [1h] }',
        ),
      ].join('---\n'),
    );
    await insertTicks(gw.db.pool, [
      tick('sim', 'BTC', new Date(now - 1_000), 100_000),
      tick('doomed', 'BTC', new Date(now - 1_000), 100_100),
      tick('doomed', 'BTC', new Date(now - HOUR), 100_050),
      tick('replay-2018', 'BTC', new Date(replayEnd), 3_500, 'USDT'),
    ]);
    await insertPredictions(gw.db.pool, [prediction('doomed-model', madeAt, 100, 101)]);
    await scorePredictions(gw.db.pool, 'default/doomed-model', [
      {
        source: 'default/sim',
        symbol: 'BTC',
        time: new Date(madeAt.getTime() + HOUR).toISOString(),
        price: 102,
      },
    ]);
    // Thirty days of hourly replay forecasts, every one scored (today, by the clock).
    const replayRows = [];
    for (let h = 30 * 24; h >= 1; h--) {
      replayRows.push(
        prediction('replay-model', new Date(replayEnd - h * HOUR), 3_500, 3_510, {
          source: 'default/replay-2018',
        }),
      );
    }
    await insertPredictions(gw.db.pool, replayRows);
    await scorePredictions(
      gw.db.pool,
      'default/replay-model',
      replayRows.map((p) => ({
        source: 'default/replay-2018',
        symbol: 'BTC',
        time: p.targetAt,
        price: 3_505,
      })),
    );
  });
  afterAll(async () => {
    await gw.stop();
  });

  it('a deleted source and model leave every live query at once; their history stays', async () => {
    const admin = clientWithToken(gw.url, TOKEN);
    const before = await gw.client.markets.latest.query();
    expect(before.map((t) => t.source)).toContain('default/doomed');
    expect((await gw.client.predictions.latest.query()).map((p) => p.model)).toContain(
      'default/doomed-model',
    );

    await admin.resources.delete.mutate({ kind: 'CryptoSource', key: 'doomed' });
    await admin.resources.delete.mutate({ kind: 'PredictionModel', key: 'doomed-model' });

    const sources = (ticks: { source: string }[]) => [...new Set(ticks.map((t) => t.source))];
    expect(sources(await gw.client.markets.latest.query())).toEqual([
      'default/replay-2018',
      'default/sim',
    ]);
    const spark = await gw.client.markets.sparklines.query({ symbols: ['BTC'] });
    expect(sources(spark)).not.toContain('default/doomed');
    const compared = await gw.client.markets.compare.query({ symbol: 'BTC' });
    expect(sources(compared.quotes)).not.toContain('default/doomed');
    const models = (rows: { model: string }[]) => [...new Set(rows.map((r) => r.model))];
    expect(models(await gw.client.predictions.latest.query())).toEqual(['default/replay-model']);
    expect(models(await gw.client.signals.latest.query())).toEqual(['default/replay-model']);
    expect(models(await gw.client.predictions.accuracy.query({ windowDays: 30 }))).toEqual([
      'default/replay-model',
    ]);

    const health = await gw.client.health.pipeline.query();
    expect(health.freshness.map((f) => f.source)).toEqual(['default/replay-2018', 'default/sim']);
    expect(health.retired).toEqual([
      { source: 'default/doomed', lastTickAt: new Date(now - 1_000).toISOString(), symbols: 1 },
    ]);
    expect(health.retiredModels).toEqual([
      { model: 'default/doomed-model', lastForecastAt: madeAt.toISOString(), symbols: 1 },
    ]);

    // History is history: still there to read.
    const candles = await gw.client.markets.candles.query({
      source: 'default/doomed',
      symbol: 'BTC',
      interval: '1h',
      from: new Date(now - 3 * HOUR).toISOString(),
      to: new Date(now + HOUR).toISOString(),
    });
    expect(candles.length).toBeGreaterThanOrEqual(1);
    const history = await gw.client.predictions.history.query({
      model: 'default/doomed-model',
      symbol: 'BTC',
      horizonS: 3600,
      from: new Date(now - DAY).toISOString(),
      to: new Date(now).toISOString(),
    });
    expect(history.map((p) => p.realized)).toEqual([102]);
  });

  it('compares only sources whose newest prices are from the same time', async () => {
    const compared = await gw.client.markets.compare.query({ symbol: 'BTC' });
    expect(compared.quotes.map((q) => q.source)).toEqual(['default/sim']);
    expect(compared.spreadBps).toBe(0);
    expect(compared.mixedQuotes).toBe(false);
    expect(compared.apart).toEqual([
      { source: 'default/replay-2018', quote: 'USDT', time: new Date(replayEnd).toISOString() },
    ]);
  });

  it("scores over the series' own last days, however recently they were scored", async () => {
    const week = await gw.client.predictions.accuracy.query({ windowDays: 7 });
    expect(week).toEqual([expect.objectContaining({ model: 'default/replay-model', n: 7 * 24 })]);
    const day = await gw.client.predictions.accuracy.query({ windowDays: 1 });
    expect(day[0]!.n).toBe(24);
  });

  it('a replay that played all its data is finished, not stale, and no problem', async () => {
    const beat = (
      id: string,
      role: 'writer' | 'fetcher',
      resource?: string,
      details: Parameters<typeof putWorkerBeat>[2]['details'] = {},
    ) => putWorkerBeat(gw, role, { id, ...(resource ? { resource } : {}), details });
    await beat('writer-1', 'writer');
    await beat('fetcher-sim', 'fetcher', 'default/sim');
    await beat('fetcher-replay', 'fetcher', 'default/replay-2018', { exhausted: false });
    // Its newest tick arrived long ago (by the clock): while it still plays, that is stale.
    await gw.db.pool.query(
      `UPDATE latest_ticks SET received_at = now() - interval '1 hour' WHERE source = 'default/replay-2018'`,
    );
    await gw.db.pool.query(
      `UPDATE latest_ticks SET received_at = now() WHERE source = 'default/sim'`,
    );
    const playing = await gw.client.health.pipeline.query();
    expect(playing.freshness.find((f) => f.source === 'default/replay-2018')).toMatchObject({
      state: 'stale',
      stale: true,
    });
    expect(playing.status).toBe('degraded');

    await beat('fetcher-replay', 'fetcher', 'default/replay-2018', { exhausted: true });
    const done = await gw.client.health.pipeline.query();
    expect(done.freshness.find((f) => f.source === 'default/replay-2018')).toMatchObject({
      state: 'finished',
      stale: false,
      lastTickAt: new Date(replayEnd).toISOString(),
    });
    expect(done.freshness.find((f) => f.source === 'default/sim')).toMatchObject({
      state: 'fresh',
    });
    expect(done.problems).toEqual([]);
    expect(done.status).toBe('ok');
    const listing = await gw.client.resources.list.query();
    const replay = listing.sources.find((s) => s.resource.metadata.name === 'replay-2018')!;
    expect(replay.observed.conditions.find((c) => c.type === 'Flowing')).toMatchObject({
      status: 'False',
      reason: 'Finished',
    });
    // A model reading only the finished replay is finished too, not stale: no more bars come.
    const model = listing.models.find((m) => m.resource.metadata.name === 'replay-model')!;
    expect(model.observed.conditions.find((c) => c.type === 'Flowing')).toMatchObject({
      status: 'False',
      reason: 'Finished',
      message: 'the replays it reads have played all their data',
    });
    // While the replay still played, the same model's old forecasts read stale.
    await beat('fetcher-replay', 'fetcher', 'default/replay-2018', { exhausted: false });
    const again = await gw.client.resources.list.query();
    const playingModel = again.models.find((m) => m.resource.metadata.name === 'replay-model')!;
    expect(playingModel.observed.conditions.find((c) => c.type === 'Flowing')).toMatchObject({
      reason: 'Stale',
    });
  });
});
