import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { encodeJson, publishTicks } from '@cryptoviz/bus';
import { insertPredictions, insertTicks, scorePredictions } from '@cryptoviz/store';
import { parseResourceKey } from '@cryptoviz/resources';
import { eventually } from '@cryptoviz/testkit';
import { appRouter } from '@cryptoviz/api';
import { hourlyTicks, prediction, tick } from './fixtures.ts';
import { openSse } from './sse-client.ts';
import {
  clientWithToken,
  failure,
  putWorkerBeat,
  rawMutation,
  startTestGateway,
  TOKEN,
  type TestGateway,
} from './support.ts';

const HOUR = 3_600_000;

/**
 * Live views show declared sources and models only: those the tests seed data for are
 * declared (suspended: nothing runs them) in a file of their own.
 */
const SEEDED_SOURCES = ['alt', 'live', 'replay-old', 'third'];
const SEEDED_MODELS = ['naive-model', 'ridge-btc'];
const SEEDED_FILE = 'seeded.yaml';
const SEEDED = [
  ...SEEDED_SOURCES.map(
    (name) => `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: ${name} }
spec: { provider: synthetic, symbols: [BTC, ETH, SOL], suspend: true }
`,
  ),
  ...SEEDED_MODELS.map(
    (name) => `apiVersion: cryptoviz.dev/v1alpha1
kind: PredictionModel
metadata: { name: ${name} }
spec: { algorithm: naive, symbols: [BTC], sources: [sim], horizons: [1h], suspend: true }
`,
  ),
].join('---\n');

/**
 * A new subscription answers (headers, `connected`) before its stream consumer exists; a test
 * that publishes right away waits for the consumer, as a client would for the first data.
 */
async function consumersOn(gw: TestGateway, stream: string, count: number) {
  await eventually(
    async () => (await gw.bus.jsm.consumers.list(stream).next()).length,
    (n) => n === count,
  );
}

function subscriptionUrl(gw: TestGateway, procedure: string, input: unknown = {}): string {
  return `${gw.url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
}

describe('gateway over HTTP', () => {
  let gw: TestGateway;
  const now = Date.now();
  const madeAt = new Date(Math.floor(now / HOUR) * HOUR - 5 * HOUR);

  beforeAll(async () => {
    gw = await startTestGateway();
    writeFileSync(join(gw.manifests, SEEDED_FILE), SEEDED);
    await insertTicks(gw.db.pool, hourlyTicks(48, now));
    await insertTicks(gw.db.pool, [
      tick('sim', 'BTC', new Date(now - 1_000), 30_000),
      tick('alt', 'BTC', new Date(now - 1_000), 30_300, 'USDT'),
      tick('third', 'BTC', new Date(now - 1_000), 30_010),
      tick('sim', 'ETH', new Date(now - 1_000), 2_000),
    ]);
    // Two models, four hourly forecasts each; ridge is right more often than naive.
    const rows = [];
    for (let i = 0; i < 4; i++) {
      const at = new Date(madeAt.getTime() + i * HOUR);
      rows.push(prediction('ridge-btc', at, 100, 102), prediction('naive-model', at, 100, 100));
    }
    await insertPredictions(gw.db.pool, rows);
    for (const model of ['default/ridge-btc', 'default/naive-model']) {
      await scorePredictions(
        gw.db.pool,
        model,
        [0, 1, 2].map((i) => ({
          source: 'default/sim',
          symbol: 'BTC',
          time: new Date(madeAt.getTime() + (i + 1) * HOUR).toISOString(),
          price: 103,
        })),
      );
    }
  });
  afterAll(async () => {
    await gw.stop();
  });

  describe('markets', () => {
    it('latest: the newest tick per source and symbol, narrowed by symbol or source', async () => {
      const all = await gw.client.markets.latest.query();
      expect(all.map((t) => `${t.source}/${t.symbol}`).sort()).toEqual([
        'default/alt/BTC',
        'default/sim/BTC',
        'default/sim/ETH',
        'default/third/BTC',
      ]);
      const eth = await gw.client.markets.latest.query({ symbols: ['ETH'] });
      expect(eth).toEqual([
        expect.objectContaining({ source: 'default/sim', symbol: 'ETH', price: 2_000 }),
      ]);
      const alt = await gw.client.markets.latest.query({ sources: ['default/alt'] });
      expect(alt).toHaveLength(1);
      expect(await gw.client.markets.latest.query({ symbols: ['NOPE'] })).toEqual([]);
    });

    it('latest: the cached fast path answers exactly as tRPC does', async () => {
      const input = encodeURIComponent(JSON.stringify({ symbols: ['BTC'] }));
      const direct = await (await fetch(`${gw.url}/trpc/markets.latest?input=${input}`)).json();
      const batched = await (
        await fetch(
          `${gw.url}/trpc/markets.latest?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { symbols: ['BTC'] } }))}`,
        )
      ).json();
      expect(direct).toEqual((batched as unknown[])[0]);
      expect((direct as { result: { data: unknown[] } }).result.data).toHaveLength(3);
    });

    it('candles: hourly OHLC over a range, oldest first', async () => {
      const candles = await gw.client.markets.candles.query({
        source: 'default/sim',
        symbol: 'BTC',
        interval: '1h',
        from: new Date(now - 30 * HOUR).toISOString(),
        to: new Date(now - 2 * HOUR).toISOString(),
      });
      expect(candles.length).toBeGreaterThanOrEqual(27);
      expect(candles[0]!.time < candles.at(-1)!.time).toBe(true);
      for (const c of candles) expect(c.low).toBeLessThanOrEqual(c.high);
    });

    it('compare: one symbol across sources with the spread and the divergent source', async () => {
      const comparison = await gw.client.markets.compare.query({ symbol: 'BTC' });
      expect(comparison.quotes.map((q) => q.source).sort()).toEqual([
        'default/alt',
        'default/sim',
        'default/third',
      ]);
      expect(comparison.median).toBe(30_010);
      expect(comparison.spread).toBe(300);
      expect(comparison.mixedQuotes).toBe(true);
      const divergent = comparison.quotes.filter((q) => q.divergent).map((q) => q.source);
      expect(divergent).toEqual(['default/alt']);
    });

    it('sparklines: a short trace per source and symbol', async () => {
      const lines = await gw.client.markets.sparklines.query({
        symbols: ['BTC'],
        hours: 24,
        points: 24,
      });
      const sim = lines.find((l) => l.source === 'default/sim');
      expect(sim!.closes.length).toBeGreaterThanOrEqual(20);
      expect(sim!.closes.length).toBeLessThanOrEqual(25);
    });
  });

  describe('predictions and signals', () => {
    it('latest: the newest forecast per model', async () => {
      const latest = await gw.client.predictions.latest.query({ symbols: ['BTC'] });
      expect(latest.map((p) => p.model).sort()).toEqual([
        'default/naive-model',
        'default/ridge-btc',
      ]);
      const ridge = latest.find((p) => p.model === 'default/ridge-btc')!;
      expect(ridge.madeAt).toBe(new Date(madeAt.getTime() + 3 * HOUR).toISOString());
      expect(ridge.lower).toBeLessThan(ridge.point);
      expect(ridge.upper).toBeGreaterThan(ridge.point);
    });

    it('history: forecasts with the realized price where scored', async () => {
      const history = await gw.client.predictions.history.query({
        model: 'default/ridge-btc',
        symbol: 'BTC',
        horizonS: 3600,
        from: new Date(madeAt.getTime() - HOUR).toISOString(),
        to: new Date(now).toISOString(),
      });
      expect(history.map((p) => p.realized)).toEqual([103, 103, 103, null]);
    });

    it('accuracy: MAPE, directional accuracy and skill against naive', async () => {
      const scores = await gw.client.predictions.accuracy.query({ symbol: 'BTC', windowDays: 2 });
      const ridge = scores.find((s) => s.model === 'default/ridge-btc')!;
      expect(ridge.n).toBe(3);
      expect(ridge.mape).toBeCloseTo(1 / 103, 8);
      expect(ridge.directionalAccuracy).toBe(1);
      expect(ridge.skill).toBeCloseTo(1 - 1 / 3, 6);
      const naive = scores.find((s) => s.model === 'default/naive-model')!;
      expect(naive.skill).toBe(0);
    });

    it('signals: the current call of each model with its confidence', async () => {
      const signals = await gw.client.signals.latest.query({ models: ['default/ridge-btc'] });
      expect(signals).toEqual([
        expect.objectContaining({ model: 'default/ridge-btc', signal: 'BUY', confidence: 0.8 }),
      ]);
      expect(signals[0]!.expectedMove).toBeCloseTo(0.02, 9);
    });
  });

  describe('pipeline health', () => {
    it('reports workers, freshness, lag, database size and what is wrong', async () => {
      const beat = (
        id: string,
        role: 'writer' | 'fetcher',
        lastSeenMs: number,
        details: Parameters<typeof putWorkerBeat>[2]['details'] = {},
      ) =>
        putWorkerBeat(gw, role, {
          id,
          ...(role === 'fetcher' ? { resource: 'default/sim' } : {}),
          lastSeen: new Date(lastSeenMs).toISOString(),
          details,
        });
      await beat('writer-1', 'writer', Date.now());
      await beat('fetcher-sim-0', 'fetcher', Date.now(), {
        lastErrorKind: 'rate-limited',
        lastErrorSummary: 'answered 429',
        lastErrorMessage: 'answered 429: "slow down, [redacted]"',
      });
      await beat('fetcher-old', 'fetcher', Date.now() - 60_000);
      // A replay delivering 2017 candles right now is fresh: arrival counts, not market time.
      await insertTicks(gw.db.pool, [
        {
          source: 'default/replay-old',
          provider: 'replay',
          symbol: 'BTC',
          quote: 'USDT',
          price: 4300,
          volume24h: null,
          marketCap: null,
          change24hPct: null,
          time: '2017-08-17T05:00:00.000Z',
        },
      ]);
      const health = await gw.client.health.pipeline.query();
      expect(health.freshness.find((f) => f.source === 'default/replay-old')).toMatchObject({
        lastTickAt: '2017-08-17T05:00:00.000Z',
        ageS: expect.any(Number),
      });
      expect(health.freshness.find((f) => f.source === 'default/replay-old')!.ageS).toBeLessThan(
        60,
      );
      expect(health.roles.writer).toEqual({ total: 1, healthy: 1 });
      expect(health.roles.fetcher).toEqual({ total: 2, healthy: 1 });
      expect(health.database.flavor).toBe('postgresql');
      expect(health.database.sizeBytes).toBeGreaterThan(0);
      expect(health.freshness.find((f) => f.source === 'default/sim')).toMatchObject({
        stale: false,
      });
      expect(health.status).toBe('degraded');
      const messages = health.problems.map((p) => p.message).join('\n');
      expect(messages).toContain('fetcher fetcher-old has not reported');
      expect(messages).toContain('rate-limited: answered 429');
      expect(Array.isArray(health.lag)).toBe(true);
      // What the provider wrote is for callers with the token only.
      expect(JSON.stringify(health)).not.toContain('slow down');
      const failing = (h: typeof health) => h.workers.find((w) => w.id === 'fetcher-sim-0');
      expect(failing(health)!.lastError).toEqual({ kind: 'rate-limited', message: 'answered 429' });
      const admin = await clientWithToken(gw.url, TOKEN).health.pipeline.query();
      expect(failing(admin)!.lastError).toEqual({
        kind: 'rate-limited',
        message: 'answered 429',
        detail: 'answered 429: "slow down, [redacted]"',
      });
    });
  });

  describe('resources', () => {
    const source = (symbols: string[]) => ({
      kind: 'CryptoSource' as const,
      metadata: { name: 'made-here' },
      spec: { provider: 'synthetic', symbols, interval: '2s' },
    });

    it('lists sources and models with observed status conditions', async () => {
      const listing = await gw.client.resources.list.query();
      expect(listing.backend).toBe('folder');
      const sim = listing.sources.find((s) => s.resource.metadata.name === 'sim')!;
      expect(sim.observed.conditions.map((c) => c.type)).toEqual(['Ready', 'Flowing', 'Degraded']);
      expect(JSON.stringify(listing)).not.toContain('not-for-clients');
    });

    it('creates, reads, updates and deletes a source with the token, keeping other documents', async () => {
      const admin = clientWithToken(gw.url, TOKEN);
      const created = await admin.resources.create.mutate({ manifest: source(['BTC']) });
      expect(created.metadata.name).toBe('made-here');
      const fetched = await gw.client.resources.get.query({
        kind: 'CryptoSource',
        key: 'made-here',
      });
      expect(fetched.spec).toMatchObject({ provider: 'synthetic', symbols: ['BTC'] });
      await admin.resources.update.mutate({ manifest: source(['BTC', 'ETH']) });
      expect(readFileSync(join(gw.manifests, 'source-made-here.yaml'), 'utf8')).toContain('ETH');
      const duplicate = await failure(admin.resources.create.mutate({ manifest: source(['BTC']) }));
      expect(duplicate.data?.code).toBe('CONFLICT');
      await admin.resources.delete.mutate({ kind: 'CryptoSource', key: 'made-here' });
      expect(readdirSync(gw.manifests).sort()).toEqual([SEEDED_FILE, 'source-sim.yaml']);
      const gone = await failure(
        gw.client.resources.get.query({ kind: 'CryptoSource', key: 'made-here' }),
      );
      expect(gone.data?.code).toBe('NOT_FOUND');

      // Editing the source that shares its file with a Secret keeps the Secret and the comment.
      await admin.resources.update.mutate({
        manifest: {
          kind: 'CryptoSource',
          metadata: { name: 'sim' },
          spec: { provider: 'synthetic', symbols: ['SOL'] },
        },
      });
      const shared = readFileSync(join(gw.manifests, 'source-sim.yaml'), 'utf8');
      expect(shared).toContain('# a comment that must survive edits');
      expect(shared).toContain('keep-me');
      expect(shared).toContain('SOL');
    });

    it('creates, updates and deletes a model with the token, keeping the other documents', async () => {
      const admin = clientWithToken(gw.url, TOKEN);
      const model = (name: string, spec: Record<string, unknown>) => ({
        kind: 'PredictionModel' as const,
        metadata: { name },
        spec,
      });
      const sourceFile = join(gw.manifests, 'source-sim.yaml');
      const sourceBefore = readFileSync(sourceFile, 'utf8');
      // A hand-written file: a comment, a ConfigMap, and a model that shares the file.
      const sharedFile = join(gw.manifests, 'models-by-hand.yaml');
      writeFileSync(
        sharedFile,
        `# models kept by hand
apiVersion: v1
kind: ConfigMap
metadata: { name: model-notes }
data: { note: keep me }
---
apiVersion: cryptoviz.dev/v1alpha1
kind: PredictionModel
metadata: { name: holt-by-hand }
spec: { algorithm: holt, symbols: [BTC], interval: 1m, horizons: [5m] }
`,
      );
      const docsOf = (file: string) =>
        parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown);
      const configMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'model-notes' },
        data: { note: 'keep me' },
      };

      const created = await admin.resources.create.mutate({
        manifest: model('ridge-made-here', {
          algorithm: 'ridge',
          symbols: ['BTC'],
          sources: ['sim'],
          interval: '1m',
          horizons: ['5m'],
        }),
      });
      // What is stored is the validated spec, defaults filled in.
      expect(created).toMatchObject({
        apiVersion: 'cryptoviz.dev/v1alpha1',
        kind: 'PredictionModel',
        metadata: { name: 'ridge-made-here' },
        spec: { algorithm: 'ridge', symbols: ['BTC'], sources: ['sim'], horizons: ['5m'] },
      });
      expect(readdirSync(gw.manifests).sort()).toEqual([
        'model-ridge-made-here.yaml',
        'models-by-hand.yaml',
        SEEDED_FILE,
        'source-sim.yaml',
      ]);
      expect(docsOf(join(gw.manifests, 'model-ridge-made-here.yaml'))).toEqual([
        expect.objectContaining({ kind: 'PredictionModel', spec: created.spec }),
      ]);
      const listing = await gw.client.resources.list.query();
      expect(listing.errors).toEqual([]);
      expect(listing.models.map((m) => m.resource.metadata.name).sort()).toEqual([
        'holt-by-hand',
        ...SEEDED_MODELS,
        'ridge-made-here',
      ]);
      expect(listing.sources.map((s) => s.resource.metadata.name).sort()).toEqual(
        [...SEEDED_SOURCES, 'sim'].sort(),
      );
      expect(
        await gw.client.resources.get.query({ kind: 'PredictionModel', key: 'ridge-made-here' }),
      ).toEqual(created);

      await admin.resources.update.mutate({
        manifest: model('ridge-made-here', {
          algorithm: 'ridge',
          symbols: ['BTC', 'ETH'],
          interval: '1m',
          horizons: ['5m', '15m'],
        }),
      });
      const updated = await gw.client.resources.get.query({
        kind: 'PredictionModel',
        key: 'ridge-made-here',
      });
      expect(updated.spec).toMatchObject({ symbols: ['BTC', 'ETH'], horizons: ['5m', '15m'] });
      expect(updated.spec).toMatchObject({ sources: [] }); // an update replaces the whole spec

      // The model that shares its file: an update and a delete touch its document only.
      await admin.resources.update.mutate({
        manifest: model('holt-by-hand', {
          algorithm: 'holt',
          symbols: ['ETH'],
          interval: '1m',
          horizons: ['5m'],
        }),
      });
      expect(readFileSync(sharedFile, 'utf8')).toContain('# models kept by hand');
      expect(docsOf(sharedFile)).toEqual([
        configMap,
        expect.objectContaining({
          kind: 'PredictionModel',
          metadata: { name: 'holt-by-hand' },
          spec: expect.objectContaining({ algorithm: 'holt', symbols: ['ETH'] }),
        }),
      ]);
      await admin.resources.delete.mutate({ kind: 'PredictionModel', key: 'holt-by-hand' });
      await admin.resources.delete.mutate({ kind: 'PredictionModel', key: 'ridge-made-here' });
      expect(readdirSync(gw.manifests).sort()).toEqual([
        'models-by-hand.yaml',
        SEEDED_FILE,
        'source-sim.yaml',
      ]);
      expect(readFileSync(sharedFile, 'utf8')).toContain('# models kept by hand');
      expect(docsOf(sharedFile)).toEqual([configMap]);
      expect(readFileSync(sourceFile, 'utf8')).toBe(sourceBefore);
      const models = (await gw.client.resources.list.query()).models;
      expect(models.map((m) => m.resource.metadata.name).sort()).toEqual(SEEDED_MODELS);
      const gone = await failure(
        admin.resources.delete.mutate({ kind: 'PredictionModel', key: 'ridge-made-here' }),
      );
      expect(gone.data?.code).toBe('NOT_FOUND');
      rmSync(sharedFile);
    });

    it('validates a manifest with the CRD schema and names the bad fields', async () => {
      const admin = clientWithToken(gw.url, TOKEN);
      const bad = await failure(
        admin.resources.create.mutate({
          manifest: {
            kind: 'CryptoSource',
            metadata: { name: 'bad' },
            spec: { provider: 'nope', symbols: [] },
          },
        }),
      );
      expect(bad.data?.code).toBe('BAD_REQUEST');
      expect(bad.message).toContain('spec.provider');
      expect(bad.message).toContain('spec.symbols');
      const model = await failure(
        admin.resources.create.mutate({
          manifest: {
            kind: 'PredictionModel',
            metadata: { name: 'm' },
            spec: { algorithm: 'consensus', symbols: ['BTC'] },
          },
        }),
      );
      expect(model.message).toContain('spec.members');
    });

    it('refuses mutations without a token (401) or with a wrong one (403)', async () => {
      const none = await failure(gw.client.resources.create.mutate({ manifest: source(['BTC']) }));
      expect(none.data?.code).toBe('UNAUTHORIZED');
      expect(none.data?.httpStatus).toBe(401);
      const wrong = await failure(
        clientWithToken(gw.url, 'wrong-token-0123456789').resources.delete.mutate({
          kind: 'CryptoSource',
          key: 'sim',
        }),
      );
      expect(wrong.data?.httpStatus).toBe(403);
      // Auth comes before validation: without the token, a bad body learns nothing.
      const raw = await rawMutation(gw.url, 'resources.create', { manifest: 42 });
      expect(raw.status).toBe(401);
    });
  });

  describe('live subscriptions (SSE)', () => {
    it('streams ticks with stream positions as ids and resumes after a disconnect without gaps, even mid-message', async () => {
      const url = subscriptionUrl(gw, 'live.ticks', { symbols: ['BTC', 'ETH'] });
      const first = await openSse(url);
      expect(first.status).toBe(200);
      await consumersOn(gw, gw.bus.topo.streams.ticks, 1);
      const base = Date.now() - 60_000;
      const batch = (from: number, count: number) =>
        Array.from({ length: count }, (_, i) =>
          tick('live', i % 2 ? 'ETH' : 'BTC', new Date(base + (from + i) * 1000), 100 + from + i),
        );
      // BTC's two ticks share a message, ETH's one has its own; SOL is not asked for.
      await publishTicks(gw.bus.nc, gw.bus.topo, [
        ...batch(0, 3),
        tick('live', 'SOL', new Date(base), 5),
      ]);
      const seen = await first.next();
      expect(JSON.parse(seen.data)).toMatchObject({ symbol: 'BTC', price: 100 });
      const [seq, index] = seen.id!.split(':').map(Number);
      expect(index).toBe(0);
      first.close();

      // Published while the client is away…
      await publishTicks(gw.bus.nc, gw.bus.topo, batch(3, 4));
      // …arrive on reconnect from Last-Event-ID: the rest of the message it was reading, then
      // the rest, in stream order, none twice, none missing.
      await consumersOn(gw, gw.bus.topo.streams.ticks, 0);
      const resumed = await openSse(url, { lastEventId: seen.id! });
      const replay = [];
      for (let i = 0; i < 6; i++) replay.push(await resumed.next());
      expect(replay.map((e) => (JSON.parse(e.data) as { price: number }).price)).toEqual([
        102, 101, 103, 105, 104, 106,
      ]);
      expect(replay.slice(0, 2).map((e) => e.id)).toEqual([`${seq}:1`, String(seq! + 1)]);
      await consumersOn(gw, gw.bus.topo.streams.ticks, 1);
      await publishTicks(gw.bus.nc, gw.bus.topo, batch(7, 1));
      const last = await resumed.next();
      expect(JSON.parse(last.data)).toMatchObject({ price: 107 });
      expect(last.id).toBe(String(seq! + 5)); // after SOL's message and the two chunks
      resumed.close();
    });

    it('streams predictions and signals as they are published', async () => {
      const predictions = await openSse(
        subscriptionUrl(gw, 'live.predictions', { symbols: ['BTC'] }),
      );
      const signals = await openSse(subscriptionUrl(gw, 'live.signals', { models: ['ridge-btc'] }));
      await consumersOn(gw, gw.bus.topo.streams.predictions, 2);
      const p = prediction('ridge-btc', new Date(now), 100, 99);
      await gw.bus.js.publish(
        gw.bus.topo.predictionSubject({ namespace: 'default', name: 'ridge-btc' }, 'BTC'),
        encodeJson(p),
      );
      const event = await predictions.next();
      expect(JSON.parse(event.data)).toMatchObject({ model: 'default/ridge-btc', point: 99 });
      expect(Number(event.id)).toBeGreaterThan(0);
      expect(JSON.parse((await signals.next()).data)).toMatchObject({
        signal: 'SELL',
        confidence: 0.8,
      });
      predictions.close();
      signals.close();
    });

    it('resumes forecasts and signals from Last-Event-ID without gaps or repeats, filter kept', async () => {
      const stream = gw.bus.topo.streams.predictions;
      await consumersOn(gw, stream, 0);
      const publish = async (model: string, symbol: string, point: number) => {
        const p = prediction(model, new Date(now), 100, point, { symbol });
        const ack = await gw.bus.js.publish(
          gw.bus.topo.predictionSubject(parseResourceKey(p.model), symbol),
          encodeJson(p),
        );
        return String(ack.seq);
      };
      const pointOf = (e: { data: string }) => (JSON.parse(e.data) as { point: number }).point;
      const signalOf = (e: { data: string }) =>
        JSON.parse(e.data) as { model: string; symbol: string; expectedMove: number };
      const predictionsUrl = subscriptionUrl(gw, 'live.predictions', { symbols: ['BTC'] });
      const signalsUrl = subscriptionUrl(gw, 'live.signals', { models: ['ridge-btc'] });
      let predictions = await openSse(predictionsUrl);
      let signals = await openSse(signalsUrl);
      await consumersOn(gw, stream, 2);
      const seen = await publish('ridge-btc', 'BTC', 101);
      const p0 = await predictions.next();
      const s0 = await signals.next();
      expect([p0.id, pointOf(p0)]).toEqual([seen, 101]);
      expect(s0.id).toBe(seen);
      predictions.close();
      signals.close();
      await consumersOn(gw, stream, 0);

      // Published while both clients are away: each asked for only part of them.
      const ridgeBtc = await publish('ridge-btc', 'BTC', 102);
      const ridgeEth = await publish('ridge-btc', 'ETH', 97);
      const naiveBtc = await publish('naive-model', 'BTC', 100);
      predictions = await openSse(predictionsUrl, { lastEventId: p0.id! });
      signals = await openSse(signalsUrl, { lastEventId: s0.id! });
      const replayedPredictions = [await predictions.next(), await predictions.next()];
      expect(replayedPredictions.map((e) => [e.id, pointOf(e)])).toEqual([
        [ridgeBtc, 102],
        [naiveBtc, 100],
      ]);
      const replayedSignals = [await signals.next(), await signals.next()];
      expect(replayedSignals.map((e) => [e.id, signalOf(e).symbol])).toEqual([
        [ridgeBtc, 'BTC'],
        [ridgeEth, 'ETH'],
      ]);
      expect(signalOf(replayedSignals[1]!).expectedMove).toBeCloseTo(-0.03, 9);

      // Then live: the next event of each is the new forecast, nothing left over from before.
      await consumersOn(gw, stream, 2);
      const live = await publish('ridge-btc', 'BTC', 105);
      const p3 = await predictions.next();
      const s3 = await signals.next();
      expect([p3.id, pointOf(p3)]).toEqual([live, 105]);
      expect([s3.id, signalOf(s3).model]).toEqual([live, 'default/ridge-btc']);
      predictions.close();
      signals.close();
      await consumersOn(gw, stream, 0);
    });

    it('keeps an idle subscription alive with pings at the configured interval', async () => {
      const ping = appRouter._def._config.sse?.ping;
      expect(ping?.enabled).toBe(true);
      const intervalMs = ping!.intervalMs!;
      // Nothing is published for this symbol: the stream carries only pings.
      const idle = await openSse(subscriptionUrl(gw, 'live.ticks', { symbols: ['IDLE'] }));
      try {
        const arrivals = [idle.openedAt];
        for (let i = 0; i < 2; i++) arrivals.push(await idle.nextPing(intervalMs + 5_000));
        const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]!);
        for (const gap of gaps) {
          expect(gap).toBeGreaterThan(intervalMs * 0.9);
          expect(gap).toBeLessThan(intervalMs + 2_000);
        }
        await expect(idle.next(0)).rejects.toThrow('no SSE event');
      } finally {
        idle.close();
      }
      await consumersOn(gw, gw.bus.topo.streams.ticks, 0);
    }, 60_000);

    it('pushes pipeline health snapshots', async () => {
      const health = await openSse(subscriptionUrl(gw, 'live.health', undefined));
      expect(JSON.parse((await health.next()).data)).toHaveProperty('status');
      health.close();
    });

    it('refuses a malformed Last-Event-ID with a BAD_REQUEST error event', async () => {
      const bad = await openSse(subscriptionUrl(gw, 'live.ticks'), { lastEventId: 'abc' });
      const event = await bad.next();
      expect(event.event).toBe('serialized-error');
      expect(JSON.parse(event.data)).toMatchObject({
        message: expect.stringContaining('lastEventId'),
        data: { code: 'BAD_REQUEST', httpStatus: 400 },
      });
      bad.close();
    });
  });

  describe('limits name the input they refuse', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const DAY = 86_400_000;

    it('a range too long names from and to', async () => {
      for (const call of [
        gw.client.markets.candles.query({
          source: 'sim',
          symbol: 'BTC',
          interval: '1d',
          from: iso(now - 400 * DAY),
          to: iso(now),
        }),
        gw.client.predictions.history.query({
          model: 'ridge-btc',
          symbol: 'BTC',
          horizonS: 3600,
          from: iso(now - 400 * DAY),
          to: iso(now),
        }),
      ]) {
        const error = await failure(call);
        expect(error.data?.code).toBe('BAD_REQUEST');
        expect(error.message).toMatch(/\bfrom\b/);
        expect(error.message).toMatch(/\bto\b/);
        expect(error.message).toContain('400 days');
        expect(error.message).toContain('at most 90');
      }
    });

    it('a range of too many rows names from, to and the interval', async () => {
      const error = await failure(
        gw.client.markets.candles.query({
          source: 'sim',
          symbol: 'BTC',
          interval: '1m',
          from: iso(now - 30 * DAY),
          to: iso(now),
        }),
      );
      expect(error.data?.code).toBe('BAD_REQUEST');
      expect(error.message).toMatch(/\bfrom\b/);
      expect(error.message).toMatch(/\bto\b/);
      expect(error.message).toContain('43200 1m candles');
      expect(error.message).toContain('interval');
    });

    it('an accuracy window too long names windowDays', async () => {
      // Within the schema's bound, beyond the configured range limit (90 days).
      const tooLong = await failure(gw.client.predictions.accuracy.query({ windowDays: 100 }));
      expect(tooLong.data?.code).toBe('BAD_REQUEST');
      expect(tooLong.message).toContain('windowDays');
      expect(tooLong.message).toContain('at most 90');
      const negative = await failure(gw.client.predictions.accuracy.query({ windowDays: -1 }));
      expect(negative.message).toContain('windowDays');
      expect(await gw.client.predictions.accuracy.query({ windowDays: 90 })).toEqual(
        expect.any(Array),
      );
    });
  });

  describe('HTTP surface', () => {
    it('answers /healthz on the API port and /metrics on the probe port', async () => {
      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
      const metrics = await (
        await fetch(`http://127.0.0.1:${gw.service.probe.port}/metrics`)
      ).text();
      expect(metrics).toContain('cryptoviz_gateway_requests_total{procedure="markets.latest"');
      expect(metrics).not.toContain('procedure="NOPE');
    });

    it('sends CORS headers to allowed origins only, and answers preflights', async () => {
      const allowed = await fetch(`${gw.url}/trpc/markets.latest`, {
        headers: { origin: 'http://allowed.example' },
      });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://allowed.example');
      const other = await fetch(`${gw.url}/trpc/markets.latest`, {
        headers: { origin: 'http://evil.example' },
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(`${gw.url}/trpc/resources.create`, {
        method: 'OPTIONS',
        headers: { origin: 'http://allowed.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    });
  });
});
