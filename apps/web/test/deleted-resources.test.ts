import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '@cryptoviz/api';
import { fetcherService } from '@cryptoviz/fetcher';
import { insertPredictions, latestTicks } from '@cryptoviz/store';
import { eventually } from '@cryptoviz/testkit';
import { writerService } from '@cryptoviz/writer';
import { launchChromium } from './chromium.ts';
import { ARTIFACTS, startBackend, startDashboard, TOKEN, useBrowserStack } from './stack.ts';

const HOUR = 3_600_000;

const source = (name: string, seed: number) => `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: ${name} }
spec: { provider: synthetic, symbols: [BTC], interval: 1s, synthetic: { seed: ${seed} } }
`;
/** Suspended: the test stores their forecasts itself. */
const model = (name: string, from: string) => `apiVersion: cryptoviz.dev/v1alpha1
kind: PredictionModel
metadata: { name: ${name} }
spec: { algorithm: naive, symbols: [BTC], sources: [${from}], horizons: [1h], suspend: true }
`;

/** Forecasts of one model on one source, hourly over the last few hours. */
function forecasts(name: string, from: string, price: number) {
  const base = Math.floor(Date.now() / HOUR) * HOUR;
  return [3, 2, 1].map((h) => ({
    model: `default/${name}`,
    algorithm: 'naive',
    source: `default/${from}`,
    symbol: 'BTC',
    horizonS: 3_600,
    madeAt: new Date(base - h * HOUR).toISOString(),
    targetAt: new Date(base - h * HOUR + HOUR).toISOString(),
    originPrice: price,
    point: price,
    lower: price * 0.99,
    upper: price * 1.01,
    confidence: 0.6,
    signal: 'HOLD' as const,
  }));
}

describe('a deleted source or model in the browser', () => {
  const stack = useBrowserStack();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack.backend = await startBackend({
      'source-sim.yaml': source('sim', 7),
      'source-doomed.yaml': source('doomed', 11),
      'model-kept.yaml': model('kept-model', 'sim'),
      'model-doomed.yaml': model('doomed-model', 'doomed'),
    });
    await stack.backend.run(writerService, { WORKER_ID: 'writer-deleted' });
    // Both keep running after the delete: what the doomed one still publishes must not show.
    for (const name of ['sim', 'doomed']) {
      await stack.backend.run(fetcherService, {
        SOURCE_FILE: join(stack.backend.manifests, `source-${name}.yaml`),
        WORKER_ID: `fetcher-${name}-deleted`,
      });
    }
    const ticks = await eventually(
      () => latestTicks(stack.backend.db.pool, { symbols: ['BTC'] }),
      (found) => found.length === 2,
    );
    const price = ticks[0]!.price;
    await insertPredictions(stack.backend.db.pool, [
      ...forecasts('kept-model', 'sim', price),
      ...forecasts('doomed-model', 'doomed', price),
    ]);
    stack.dashboard = await startDashboard(stack.backend);
    stack.browser = await launchChromium();
  }, 180_000);

  const optionsOf = (page: Page, name: string) =>
    page.getByRole('combobox', { name }).locator('option').allTextContents();

  it('leaves the overview, the markets table, the pickers and the comparison without a reload; its history stays', async () => {
    const overview = await stack.open('/');
    const doomedFreshness = overview.locator(
      '[data-testid="freshness-row"][data-source="default/doomed"]',
    );
    await doomedFreshness.waitFor();
    const markets = await stack.open('/markets');
    const doomedRow = markets.locator('[data-testid="price-row"][data-source="default/doomed"]');
    await doomedRow.waitFor();
    await expect(optionsOf(markets, 'Source')).resolves.toContain('doomed');
    await markets.getByTestId('spread').getByText('doomed').waitFor();
    const predictions = await stack.open('/predictions');
    const signals = predictions.getByTestId('signals-table');
    await signals.getByText('doomed-model').waitFor();
    await expect(optionsOf(predictions, 'Source')).resolves.toContain('doomed');
    let reloads = 0;
    for (const page of [overview, markets, predictions]) page.on('load', () => (reloads += 1));

    const admin = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${stack.dashboard.url}/trpc`,
          headers: { authorization: `Bearer ${TOKEN}` },
        }),
      ],
    });
    await admin.resources.delete.mutate({ kind: 'CryptoSource', key: 'doomed' });
    await admin.resources.delete.mutate({ kind: 'PredictionModel', key: 'doomed-model' });

    // Within one refresh: the health push (5 s) and the pages' listing re-read (10 s).
    const refresh = { timeout: 15_000 };
    await expect.poll(() => doomedFreshness.count(), refresh).toBe(0);
    const retired = overview.locator('[data-testid="retired-row"][data-source="default/doomed"]');
    await expect(retired.textContent()).resolves.toContain('deleted');
    await expect(overview.getByTestId('retired').textContent()).resolves.toContain(
      'history kept, not live',
    );
    const retiredModel = overview.locator(
      '[data-testid="retired-model-row"][data-model="default/doomed-model"]',
    );
    await expect.poll(() => retiredModel.count(), refresh).toBe(1);
    await expect(retiredModel.textContent()).resolves.toContain('deleted');
    await expect(
      overview
        .locator('[data-testid="retired-model-row"][data-model="default/kept-model"]')
        .count(),
    ).resolves.toBe(0);
    await expect
      .poll(() =>
        overview.locator('[data-testid="freshness-row"][data-source="default/sim"]').count(),
      )
      .toBe(1);

    await expect.poll(() => doomedRow.count(), refresh).toBe(0);
    await expect(optionsOf(markets, 'Source')).resolves.toEqual(['sim']);
    await expect.poll(() => markets.getByTestId('spread').textContent()).not.toContain('doomed');
    // The doomed fetcher still publishes: its ticks do not bring the row back.
    await markets.waitForTimeout(3_000);
    await expect(doomedRow.count()).resolves.toBe(0);

    await expect.poll(() => signals.getByText('doomed-model').count(), refresh).toBe(0);
    await expect(signals.getByText('kept-model').count()).resolves.toBe(1);
    await expect(optionsOf(predictions, 'Source')).resolves.toEqual(['sim']);
    expect(reloads).toBe(0);
    await overview.screenshot({ path: join(ARTIFACTS, 'deleted-overview.png'), fullPage: true });
    for (const page of [overview, markets, predictions]) await page.close();

    // History is kept on purpose, and still answers.
    const now = Date.now();
    const candles = await admin.markets.candles.query({
      source: 'doomed',
      symbol: 'BTC',
      interval: '1m',
      from: new Date(now - HOUR).toISOString(),
      to: new Date(now + 60_000).toISOString(),
    });
    expect(candles.length).toBeGreaterThan(0);
    const history = await admin.predictions.history.query({
      model: 'doomed-model',
      symbol: 'BTC',
      horizonS: 3600,
      source: 'doomed',
      from: new Date(now - 5 * HOUR).toISOString(),
      to: new Date(now).toISOString(),
    });
    expect(history).toHaveLength(3);
  }, 90_000);
});
