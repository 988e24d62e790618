import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPredictions, insertTicks } from '@cryptoviz/store';
import { prediction, tick } from './fixtures.ts';
import { clientWithToken, failure, startTestGateway, TOKEN, type TestGateway } from './support.ts';

const HOUR = 3_600_000;

const manifests = (namespace: string) => `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: binance, namespace: ${namespace} }
spec: { provider: synthetic, symbols: [BTC], interval: 1s }
---
apiVersion: cryptoviz.dev/v1alpha1
kind: PredictionModel
metadata: { name: naive-btc, namespace: ${namespace} }
spec: { algorithm: naive, symbols: [BTC], sources: [binance], horizons: [1h] }
`;

/** Two teams, each with a source `binance` and a model `naive-btc` in its own namespace. */
describe('one name in two namespaces, through the API', () => {
  let gw: TestGateway;
  const now = Date.now();

  beforeAll(async () => {
    gw = await startTestGateway();
    writeFileSync(join(gw.manifests, 'team-a.yaml'), manifests('team-a'));
    writeFileSync(join(gw.manifests, 'team-b.yaml'), manifests('team-b'));
    const ticks = [];
    for (let h = 6; h >= 0; h--) {
      const time = new Date(now - h * HOUR - 1_000);
      ticks.push(
        tick('team-a/binance', 'BTC', time, 100 + h),
        tick('team-b/binance', 'BTC', time, 900 + h),
      );
    }
    await insertTicks(gw.db.pool, ticks);
    const madeAt = new Date(now - 2 * HOUR);
    await insertPredictions(gw.db.pool, [
      prediction('team-a/naive-btc', madeAt, 100, 101, { source: 'team-a/binance' }),
      prediction('team-b/naive-btc', madeAt, 900, 899, { source: 'team-b/binance' }),
    ]);
  });
  afterAll(async () => {
    await gw.stop();
  });

  it('answers each key with its own data, and a bare name with the default namespace’s', async () => {
    const latest = await gw.client.markets.latest.query({ sources: ['team-a/binance'] });
    expect(latest).toEqual([expect.objectContaining({ source: 'team-a/binance', price: 100 })]);
    const both = await gw.client.markets.latest.query({ symbols: ['BTC'] });
    expect(both.map((t) => [t.source, t.price])).toEqual([
      ['team-a/binance', 100],
      ['team-b/binance', 900],
    ]);
    expect(await gw.client.markets.latest.query({ sources: ['binance'] })).toEqual([]);

    const range = {
      symbol: 'BTC',
      interval: '1h' as const,
      from: new Date(now - 8 * HOUR).toISOString(),
    };
    const candles = await gw.client.markets.candles.query({
      ...range,
      source: 'team-b/binance',
      to: new Date(now + HOUR).toISOString(),
    });
    expect(candles.length).toBeGreaterThan(0);
    expect(candles.every((c) => c.low >= 900)).toBe(true);
  });

  it('keeps each namespace’s forecasts to its own model key', async () => {
    const forecasts = await gw.client.predictions.latest.query({ models: ['team-b/naive-btc'] });
    expect(forecasts).toEqual([
      expect.objectContaining({ model: 'team-b/naive-btc', source: 'team-b/binance', point: 899 }),
    ]);
  });

  it('lists both resources, each observed from its own data', async () => {
    const listing = await gw.client.resources.list.query();
    const namespaces = listing.sources
      .filter((s) => s.resource.metadata.name === 'binance')
      .map((s) => s.resource.metadata.namespace);
    expect(namespaces.sort()).toEqual(['team-a', 'team-b']);
  });

  it('reads, creates, updates and deletes a resource by its key, the other namespace’s untouched', async () => {
    const admin = clientWithToken(gw.url, TOKEN);
    const teamB = await gw.client.resources.get.query({
      kind: 'CryptoSource',
      key: 'team-b/binance',
    });
    expect(teamB.metadata.namespace).toBe('team-b');
    // A bare name is the default namespace's, which has no `binance`.
    const bare = await failure(
      gw.client.resources.get.query({ kind: 'CryptoSource', key: 'binance' }),
    );
    expect(bare.data?.code).toBe('NOT_FOUND');

    // A third team's `binance`: not a conflict, and a file of its own.
    const manifest = {
      kind: 'CryptoSource' as const,
      metadata: { name: 'binance', namespace: 'team-c' },
      spec: { provider: 'synthetic', symbols: ['ETH'], interval: '1s' },
    };
    const created = await admin.resources.create.mutate({ manifest });
    expect(created.metadata.namespace).toBe('team-c');
    expect(readdirSync(gw.manifests)).toContain('source-team-c.binance.yaml');
    await admin.resources.update.mutate({
      manifest: { ...manifest, spec: { ...manifest.spec, symbols: ['SOL'] } },
    });
    const teamC = await gw.client.resources.get.query({
      kind: 'CryptoSource',
      key: 'team-c/binance',
    });
    expect(teamC.spec.symbols).toEqual(['SOL']);

    await admin.resources.delete.mutate({ kind: 'CryptoSource', key: 'team-a/binance' });
    const gone = await failure(
      gw.client.resources.get.query({ kind: 'CryptoSource', key: 'team-a/binance' }),
    );
    expect(gone.data?.code).toBe('NOT_FOUND');
    const left = (await gw.client.resources.list.query()).sources
      .filter((s) => s.resource.metadata.name === 'binance')
      .map((s) => [s.resource.metadata.namespace, s.resource.spec.symbols]);
    expect(left.sort()).toEqual([
      ['team-b', ['BTC']],
      ['team-c', ['SOL']],
    ]);
  });
});
