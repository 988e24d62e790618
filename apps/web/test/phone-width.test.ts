import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PredictionRecord } from '@cryptoviz/forecast';
import { insertPredictions, insertTicks } from '@cryptoviz/store';
import { priceTick } from '@cryptoviz/testkit';
import { launchChromium } from './chromium.ts';
import { inReach, sidewaysScroll } from './page-probes.ts';
import { ARTIFACTS, startBackend, startDashboard, TOKEN, useBrowserStack } from './stack.ts';

const HOUR = 3_600_000;
const PHONE = { width: 390, height: 844 };
/** A long source name: what pushed the 24 h change off a phone's table. */
const SOURCE = 'coingecko-europe-main';
/** Rows name the source by key: its manifest is in `default`. */
const SOURCE_KEY = `default/${SOURCE}`;

const manifest = (kind: string, name: string, spec: string) =>
  `apiVersion: cryptoviz.dev/v1alpha1\nkind: ${kind}\nmetadata: { name: ${name} }\nspec:\n${spec}`;

/** DOGE near 0.1 over the last day: hourly forecasts of it, scored where their hour passed. */
function dogeForecasts(now: number, price: (t: number) => number): PredictionRecord[] {
  const base = Math.floor(now / HOUR) * HOUR;
  return Array.from({ length: 24 }, (_, i) => {
    const madeAt = base - (24 - i) * HOUR;
    const origin = price(madeAt);
    const point = origin * 1.001;
    return {
      model: 'default/doge-naive',
      algorithm: 'naive',
      source: SOURCE_KEY,
      symbol: 'DOGE',
      horizonS: 3_600,
      madeAt: new Date(madeAt).toISOString(),
      targetAt: new Date(madeAt + HOUR).toISOString(),
      originPrice: origin,
      point,
      lower: point * 0.998,
      upper: point * 1.002,
      confidence: 0.5,
      signal: 'HOLD',
    };
  });
}

describe('the dashboard at phone width', () => {
  const stack = useBrowserStack({ failOnPageErrors: false });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack.backend = await startBackend({
      'source-a.yaml': manifest(
        'CryptoSource',
        SOURCE,
        '  provider: coingecko\n  symbols: [BTC, ETH, DOGE, ADA, SOL, XRP]\n',
      ),
      'model-a.yaml': manifest(
        'PredictionModel',
        'doge-naive',
        '  algorithm: naive\n  symbols: [DOGE, ADA]\n  horizons: [1h, 6h, 24h]\n',
      ),
    });
    stack.dashboard = await startDashboard(stack.backend);
    const now = Date.now();
    const doge = (t: number) => 0.1 * (1 + 0.01 * Math.sin(t / (3 * HOUR)));
    const ticks = [];
    for (let t = now - 26 * HOUR; t <= now; t += 10 * 60_000) {
      ticks.push(
        priceTick(t, doge(t), { symbol: 'DOGE', source: SOURCE_KEY, provider: 'coingecko' }),
      );
    }
    for (const [symbol, price] of [
      ['BTC', 64_213.1],
      ['ETH', 3_012.55],
      ['ADA', 0.4312],
    ] as const) {
      ticks.push({
        ...priceTick(now, price, { symbol, source: SOURCE_KEY, provider: 'coingecko' }),
        change24hPct: -12.34,
      });
    }
    await insertTicks(stack.backend.db.pool, ticks);
    await insertPredictions(stack.backend.db.pool, dogeForecasts(now, doge));
    stack.browser = await launchChromium();
  }, 120_000);

  const open = (path: string, viewport = PHONE) => stack.open(path, { viewport });

  it('every page fits 390 px without scrolling sideways', async () => {
    for (const [path, ready] of [
      ['/', 'role-fetcher'],
      ['/markets', 'price-row'],
      ['/predictions', 'forecast-chart'],
      ['/resources', 'source-row'],
    ] as const) {
      const page = await open(path);
      await page.getByTestId(ready).first().waitFor();
      await expect(sidewaysScroll(page), path).resolves.toBeLessThanOrEqual(1);
      const name = path === '/' ? 'overview' : path.slice(1);
      await page.screenshot({ path: join(ARTIFACTS, `${name}-phone.png`), fullPage: true });
      await page.close();
    }
    expect(stack.pageErrors).toEqual([]);
  }, 120_000);

  it("markets: every row's 24 h change is in view", async () => {
    const page = await open('/markets');
    const rows = page.getByTestId('price-row');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(4);
    for (const row of await rows.all()) {
      const change = row.getByText('-12.34%').or(row.getByText('—'));
      await expect(inReach(change.first()), (await row.textContent()) ?? '').resolves.toBe(true);
    }
    await page.close();
  });

  it('resources: every Edit and Delete is in view and works', async () => {
    const page = await open('/resources');
    await page.getByTestId('token').fill(TOKEN);
    for (const table of ['sources-table', 'models-table']) {
      const rows = page.getByTestId(table).locator('tbody tr');
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(1);
      for (const name of ['Edit', 'Delete']) {
        await expect(inReach(rows.getByRole('button', { name })), `${table} ${name}`).resolves.toBe(
          true,
        );
      }
    }
    await page.getByTestId('sources-table').getByRole('button', { name: 'Edit' }).click();
    const form = page.getByTestId('source-form');
    await expect(inReach(form.getByRole('button', { name: 'Save' }))).resolves.toBe(true);
    await expect(sidewaysScroll(page)).resolves.toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(ARTIFACTS, 'resources-form-phone.png'), fullPage: true });
    await page.close();
  });

  it('overview: no card is left alone on a row at common widths', async () => {
    // Each card's top edge: cards on one row share it.
    const tops =
      "[...document.querySelectorAll('main .grid > *')].map((card) => Math.round(card.getBoundingClientRect().top))";
    for (const width of [360, 390, 600, 768, 1024, 1280, 1366, 1440, 1920]) {
      const page = await open('/', { width, height: 900 });
      // The cards fill once pipeline health answers: slow on a busy machine.
      await page.getByTestId('role-fetcher').waitFor({ timeout: 60_000 });
      const perRow = new Map<number, number>();
      for (const top of await page.evaluate<number[]>(tops)) {
        perRow.set(top, (perRow.get(top) ?? 0) + 1);
      }
      expect(perRow.size, `rows at ${width} px`).toBeGreaterThan(0);
      expect(
        [...perRow.values()].filter((cards) => cards < 2),
        `${width} px`,
      ).toEqual([]);
      await page.close();
    }
  }, 120_000);

  it('a coin near 0.1 gets price labels that differ from each other', async () => {
    for (const viewport of [PHONE, { width: 1280, height: 900 }]) {
      const page = await open('/predictions', viewport);
      const labels = page.getByTestId('forecast-chart').locator('[data-axis="price"]');
      await expect.poll(() => labels.count(), { timeout: 20_000 }).toBeGreaterThan(2);
      const texts = await labels.allTextContents();
      expect(new Set(texts).size, texts.join(' ')).toBe(texts.length);
      for (const text of texts) expect(Number(text)).toBeCloseTo(0.1, 1);
      await page.close();
    }
  });
});
