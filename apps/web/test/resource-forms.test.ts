import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptoSourceSpecSchema, predictionModelSpecSchema } from '@cryptoviz/resources';
import { launchChromium } from './chromium.ts';
import { REPLAY_SPEC } from './form-fixtures.ts';
import {
  ARTIFACTS,
  startBackend,
  startDashboard,
  TOKEN,
  type Dashboard,
  useBrowserStack,
} from './stack.ts';

/** A resource as the API holds it, read back through the dashboard's own /trpc. */
async function stored(dashboard: Dashboard, kind: string, key: string): Promise<{ spec: unknown }> {
  const input = encodeURIComponent(JSON.stringify({ kind, key }));
  const response = await fetch(`${dashboard.url}/trpc/resources.get?input=${input}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { result: { data: { spec: unknown } } }).result.data;
}

describe('resource forms in a browser: whole resources', () => {
  const stack = useBrowserStack({ failOnPageErrors: false });
  let page: Page;

  beforeAll(async () => {
    // Replay files the gateway finds inside its data directory, as a fetcher would.
    const dataDir = mkdtempSync(join(tmpdir(), 'cryptoviz-forms-data-'));
    mkdirSync(join(dataDir, 'data'));
    for (const file of ['btc.csv', 'eth.csv']) writeFileSync(join(dataDir, 'data', file), '');
    mkdirSync(ARTIFACTS, { recursive: true });
    stack.backend = await startBackend();
    stack.dashboard = await startDashboard(stack.backend, { CRYPTOVIZ_DATA_DIR: dataDir });
    stack.browser = await launchChromium();
    page = await stack.open('/resources');
    await page.getByTestId('token').fill(TOKEN);
  }, 120_000);

  afterAll(() => {
    expect(stack.pageErrors, 'uncaught errors in the page').toEqual([]);
  });

  const sourceForm = () => page.getByTestId('source-form');
  const modelForm = () => page.getByTestId('model-form');
  const fill = (form: ReturnType<Page['getByTestId']>, values: Record<string, string>) =>
    Object.entries(values).reduce(
      (done, [name, value]) => done.then(() => form.locator(`[name="${name}"]`).fill(value)),
      Promise.resolve(),
    );

  it('creates a replay source from the form, files, speed, loop and alignment included', async () => {
    await page.getByRole('button', { name: 'New source' }).click();
    const form = sourceForm();
    await form.locator('select[name="provider"]').selectOption('replay');
    await fill(form, {
      name: 'binance-replay',
      symbols: 'btc, eth',
      'replay.data': 'BTC=data/btc.csv, ETH=data/eth.csv',
      'replay.speed': '-5',
    });
    await form.locator('select[name="replay.align"]').selectOption('now');
    await form.locator('input[name="replay.loop"]').check();
    await form.getByRole('button', { name: 'Create source' }).click();
    // A bad speed: the schema's own message, led by the field's path, under the field.
    const { error } = cryptoSourceSpecSchema.safeParse({
      provider: 'replay',
      symbols: ['BTC'],
      replay: { data: { BTC: 'a.csv' }, speed: -5 },
    });
    await expect
      .poll(() => form.locator('#replay-speed-hint').textContent())
      .toBe(`replay.speed: ${error!.issues[0]!.message}`);
    await expect(
      form.locator('input[name="replay.speed"]').getAttribute('aria-invalid'),
    ).resolves.toBe('true');

    await form.locator('input[name="replay.speed"]').fill('36000');
    await form.getByRole('button', { name: 'Create source' }).click();
    await page.locator('[data-testid="source-row"][data-name="binance-replay"]').waitFor();
    await expect(stored(stack.dashboard, 'CryptoSource', 'binance-replay')).resolves.toMatchObject({
      spec: REPLAY_SPEC,
    });
  });

  it('creates a simulated market with its seed and start, and worker bounds', async () => {
    await page.getByRole('button', { name: 'New source' }).click();
    const form = sourceForm();
    await fill(form, {
      name: 'sim-seeded',
      symbols: 'SOL',
      'synthetic.seed': '42',
      'synthetic.start': '2026-01-01T00:00:00Z',
      interval: '5s',
      minReplicas: '1',
      maxReplicas: '3',
    });
    await form.getByRole('button', { name: 'Create source' }).click();
    await page.locator('[data-testid="source-row"][data-name="sim-seeded"]').waitFor();
    await expect(stored(stack.dashboard, 'CryptoSource', 'sim-seeded')).resolves.toMatchObject({
      spec: {
        provider: 'synthetic',
        interval: '5s',
        synthetic: { seed: 42, start: '2026-01-01T00:00:00Z' },
        minReplicas: 1,
        maxReplicas: 3,
      },
    });
  });

  it('creates a model with params, told its warm-up first', async () => {
    await page.getByRole('button', { name: 'New model' }).click();
    const form = modelForm();
    await form.locator('select[name="algorithm"]').selectOption('movingAverage');
    await fill(form, {
      name: 'ma-sol',
      symbols: 'SOL',
      horizons: '1h, 6h',
      interval: '1h',
      'params.window': '100000',
    });
    await form.getByRole('button', { name: 'Create model' }).click();
    const { error } = predictionModelSpecSchema.safeParse({
      algorithm: 'movingAverage',
      symbols: ['SOL'],
      params: { window: 100000 },
    });
    await expect
      .poll(() => form.locator('#model-params-window-hint').textContent())
      .toBe(`params.window: ${error!.issues[0]!.message}`);
    await form.locator('input[name="params.window"]').fill('48');
    // 48 closes, 6 bars to the first score, 24 residuals before an interval: 77 hourly bars.
    await form
      .getByTestId('warm-up')
      .getByText('First forecast after about 77 bars of 1h (3 d).')
      .waitFor();
    await form.getByRole('button', { name: 'Create model' }).click();
    await page.locator('[data-testid="model-row"][data-name="ma-sol"]').waitFor();
    await expect(stored(stack.dashboard, 'PredictionModel', 'ma-sol')).resolves.toMatchObject({
      spec: { algorithm: 'movingAverage', params: { window: 48 }, horizons: ['1h', '6h'] },
    });
  });

  it('creates a consensus with members, each with params and a weight', async () => {
    await page.getByRole('button', { name: 'New model' }).click();
    const form = modelForm();
    await form.locator('select[name="algorithm"]').selectOption('consensus');
    await fill(form, { name: 'blend-sol', symbols: 'SOL', horizons: '1h' });
    await form.locator('select[name="members.0.algorithm"]').selectOption('holt');
    await fill(form, { 'members.0.params.alpha': '0.5', 'members.0.weight': '2' });
    await form.getByRole('button', { name: 'Add member' }).click();
    await form.locator('select[name="members.1.algorithm"]').selectOption('linearTrend');
    await fill(form, { 'members.1.params.window': '50' });
    // One weight of two: the schema's rule, on the members.
    await form.getByRole('button', { name: 'Create model' }).click();
    await form
      .getByText('members: give every member a weight, or none (weights then follow recent errors)')
      .waitFor();
    await fill(form, { 'members.1.weight': '1' });
    await form.getByRole('button', { name: 'Create model' }).click();
    await page.locator('[data-testid="model-row"][data-name="blend-sol"]').waitFor();
    await expect(stored(stack.dashboard, 'PredictionModel', 'blend-sol')).resolves.toMatchObject({
      spec: {
        algorithm: 'consensus',
        members: [
          { algorithm: 'holt', params: { alpha: 0.5 }, weight: 2 },
          { algorithm: 'linearTrend', params: { window: 50 }, weight: 1 },
        ],
      },
    });
  });

  it('edits a replay source with every setting shown, and saves what it shows', async () => {
    const row = page.locator('[data-testid="source-row"][data-name="binance-replay"]');
    await row.getByRole('button', { name: 'Edit' }).click();
    const form = sourceForm();
    await expect(form.locator('input[name="replay.data"]').inputValue()).resolves.toBe(
      'BTC=data/btc.csv, ETH=data/eth.csv',
    );
    await fill(form, { 'replay.speed': '3600' });
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('notice').getByText('Source binance-replay saved.').waitFor();
    await expect(stored(stack.dashboard, 'CryptoSource', 'binance-replay')).resolves.toMatchObject({
      spec: { replay: { data: { BTC: 'data/btc.csv' }, speed: 3600, loop: true, align: 'now' } },
    });
    await page.screenshot({ path: join(ARTIFACTS, 'resource-forms.png'), fullPage: true });
  });
});
