import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SKILL_VERDICT_TEXT, type PredictionRecord } from '@cryptoviz/forecast';
import { insertPredictions, insertTicks, scorePredictions } from '@cryptoviz/store';
import { priceTick } from '@cryptoviz/testkit';
import { createApiClient } from '../src/lib/api.ts';
import { formatPValue } from '../src/lib/format.ts';
import { calibrationReading, eceReading } from '../src/lib/reliability-diagram.ts';
import { coinFlipReading, figureRows, strategyReading } from '../src/lib/strategy.ts';
import { launchChromium } from './chromium.ts';
import { inReach, sidewaysScroll } from './page-probes.ts';
import { ARTIFACTS, startBackend, startDashboard, useBrowserStack } from './stack.ts';
import { resourceLabel } from '@cryptoviz/resources';

const HOUR = 3_600_000;
const SOURCE = 'sim';
/** Rows name resources by key; the manifests' are in `default`. */
const SOURCE_KEY = `default/${SOURCE}`;
const PHONE = { width: 390, height: 844 };

const manifest = (kind: string, name: string, spec: string) =>
  `apiVersion: cryptoviz.dev/v1alpha1\nkind: ${kind}\nmetadata: { name: ${name} }\nspec: ${spec}\n`;

/**
 * Declared and suspended: the live views show declared resources only, and the test seeds what
 * they would have written.
 */
const MANIFESTS = [
  manifest('CryptoSource', SOURCE, '{ provider: synthetic, symbols: [BTC], suspend: true }'),
  ...['ridge', 'momentum', 'naive'].map((algorithm) =>
    manifest(
      'PredictionModel',
      `${algorithm}-btc`,
      `{ algorithm: ${algorithm}, symbols: [BTC], sources: [${SOURCE}], horizons: [1h], suspend: true }`,
    ),
  ),
].join('---\n');

/** BTC swinging ±5 % over about a day and a half, with a faster ripple so no two hours repeat. */
const price = (t: number) =>
  50_000 * (1 + 0.05 * Math.sin(t / (5 * HOUR)) + 0.004 * Math.sin(t / (0.7 * HOUR)));

/**
 * Two days of hourly 1h forecasts, as predictors store them: `ridge` sees most of the coming
 * move, `momentum` bets against it, `naive` holds. Confidence varies with the size of the move
 * called, so the calibration has more than one bin.
 */
function seededForecasts(now: number): { rows: PredictionRecord[]; closes: Map<string, number> } {
  const rows: PredictionRecord[] = [];
  const closes = new Map<string, number>();
  const base = Math.floor(now / HOUR) * HOUR;
  for (let h = 48; h >= 1; h--) {
    const madeAt = base - h * HOUR;
    const target = madeAt + HOUR;
    const origin = price(madeAt);
    const actual = price(target);
    closes.set(new Date(target).toISOString(), actual);
    for (const [algorithm, point] of [
      ['ridge', origin + 0.8 * (actual - origin)],
      ['momentum', origin - 0.9 * (actual - origin)],
      ['naive', origin],
    ] as const) {
      const move = point / origin - 1;
      rows.push({
        model: `default/${algorithm}-btc`,
        algorithm,
        source: SOURCE_KEY,
        symbol: 'BTC',
        horizonS: 3_600,
        madeAt: new Date(madeAt).toISOString(),
        targetAt: new Date(target).toISOString(),
        originPrice: origin,
        point,
        lower: point - origin * 0.004,
        upper: point + origin * 0.004,
        confidence: algorithm === 'naive' ? 0 : Math.min(0.95, 0.5 + Math.abs(move) * 60),
        signal: move > 0.002 ? 'BUY' : move < -0.002 ? 'SELL' : 'HOLD',
      });
    }
  }
  return { rows, closes };
}

/** Every cell's text of the figures table, row by row. */
const figuresOnPage = (page: Page) =>
  page
    .getByTestId('strategy-figures')
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => [...row.children].map((cell) => (cell.textContent ?? '').trim())),
    );

describe('predictions: significance, calibration and "Would it have paid?"', () => {
  const stack = useBrowserStack();
  let client: ReturnType<typeof createApiClient>;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack.backend = await startBackend({ 'seeded.yaml': MANIFESTS });
    stack.dashboard = await startDashboard(stack.backend);
    const { pool } = stack.backend.db;
    const now = Date.now();
    // Ticks every 10 minutes over the forecasts' span: the hourly candles the strategy trades.
    const ticks = [];
    const from = Math.floor(now / HOUR) * HOUR - 50 * HOUR;
    for (let t = from; t <= now; t += 10 * 60_000) {
      ticks.push(priceTick(t, price(t), { source: SOURCE_KEY, provider: 'synthetic' }));
    }
    await insertTicks(pool, ticks);
    const { rows, closes } = seededForecasts(now);
    await insertPredictions(pool, rows);
    const realized = [...closes].map(([time, close]) => ({
      source: SOURCE_KEY,
      symbol: 'BTC',
      time,
      price: close,
    }));
    for (const model of ['ridge-btc', 'momentum-btc', 'naive-btc']) {
      await scorePredictions(pool, `default/${model}`, realized);
    }
    client = createApiClient(`${stack.dashboard.url}/trpc`);
    stack.browser = await launchChromium();
  }, 120_000);

  it('the scorecard reads each verdict and p-value from the test the gateway ran', async () => {
    const scores = await client.predictions.accuracy.query({ symbol: 'BTC', windowDays: 7 });
    const ridge = scores.find((s) => s.model === 'default/ridge-btc')!;
    const momentum = scores.find((s) => s.model === 'default/momentum-btc')!;
    // The seeded errors are far apart: the test must tell them from naive's.
    expect(ridge.significance.verdict).toBe('beats-naive');
    expect(momentum.significance.verdict).toBe('worse-than-naive');

    const page = await stack.open('/predictions');
    const table = page.getByTestId('scorecard');
    for (const score of [ridge, momentum]) {
      const verdict = table
        .locator('tr', { hasText: resourceLabel(score.model) })
        .getByTestId('verdict');
      await verdict.waitFor();
      const text = await verdict.textContent();
      expect(text).toContain(SKILL_VERDICT_TEXT[score.significance.verdict]);
      expect(text).toContain(formatPValue(score.significance.pValue));
    }
    await page.close();
  });

  it('draws a reliability diagram and its calibration error for each model that calls a direction', async () => {
    const scores = await client.predictions.accuracy.query({ symbol: 'BTC', windowDays: 7 });
    const page = await stack.open('/predictions');
    const diagrams = page.getByTestId('reliability');
    await diagrams.first().waitFor();
    await expect.poll(() => diagrams.count(), { timeout: 20_000 }).toBe(2);
    for (const model of ['momentum-btc', 'ridge-btc']) {
      const { calibration } = scores.find((s) => s.model === `default/${model}`)!;
      expect(calibration.n).toBeGreaterThan(0);
      const diagram = page.locator(`[data-testid="reliability"][data-model="${model}"]`);
      await expect(diagram.getByTestId('ece').textContent()).resolves.toBe(
        eceReading(calibration.ece),
      );
      await expect(diagram.getByTestId('calibration-reading').textContent()).resolves.toBe(
        calibrationReading(calibration),
      );
      const withCalls = calibration.bins.filter((bin) => bin.count > 0).length;
      await expect(diagram.getByTestId('reliability-bin').count()).resolves.toBe(withCalls);
    }
    await page.close();
  });

  it('"Would it have paid?" shows the equity curves and the figures the gateway computes, at the fee typed', async () => {
    const page = await stack.open('/predictions');
    const panel = page.getByTestId('strategy-panel');
    await panel.getByRole('combobox', { name: 'Model' }).selectOption('ridge-btc');
    const ask = {
      model: 'ridge-btc',
      symbol: 'BTC',
      source: SOURCE,
      horizonS: 3600,
      windowDays: 7,
    };

    const atDefaultFee = await client.predictions.strategy.query({ ...ask, feeRate: 0.001 });
    expect(atDefaultFee.strategy.trades).toBeGreaterThan(0);
    const expected = figureRows(atDefaultFee).map((r) => [r.label, r.strategy, r.buyAndHold]);
    await expect.poll(() => figuresOnPage(page), { timeout: 20_000 }).toEqual(expected);
    await expect(panel.getByTestId('strategy-reading').textContent()).resolves.toBe(
      strategyReading(atDefaultFee),
    );
    await expect(panel.getByTestId('coin-flip').textContent()).resolves.toBe(
      coinFlipReading(atDefaultFee.coinFlip),
    );
    // One point per bar of equity, for each curve.
    for (const curve of ['equity-strategy', 'equity-buy-and-hold']) {
      const path = await panel.getByTestId(curve).getAttribute('d');
      expect(path!.split(/[ML]/).filter(Boolean)).toHaveLength(atDefaultFee.equity.times.length);
    }

    const fee = panel.getByLabel('Fee per side (%)');
    await fee.fill('20');
    await expect(panel.getByTestId('fee-error').textContent()).resolves.toContain(
      'Fee per side: at most 10 %',
    );
    await fee.fill('0.5');
    const atHigherFee = await client.predictions.strategy.query({ ...ask, feeRate: 0.005 });
    const higher = figureRows(atHigherFee).map((r) => [r.label, r.strategy, r.buyAndHold]);
    await expect.poll(() => figuresOnPage(page), { timeout: 20_000 }).toEqual(higher);
    expect(atHigherFee.strategy.feesPaid).toBeGreaterThan(atDefaultFee.strategy.feesPaid);
    await page.screenshot({ path: join(ARTIFACTS, 'would-it-have-paid.png'), fullPage: true });
    await page.close();
  });

  it('naive, which never trades, is not offered, and the panel and every verdict fit a phone', async () => {
    const page = await stack.open('/predictions', { viewport: PHONE });
    const panel = page.getByTestId('strategy-panel');
    await panel.getByTestId('equity-chart').waitFor();
    const offered = await panel
      .getByRole('combobox', { name: 'Model' })
      .locator('option')
      .allTextContents();
    expect(offered).toEqual(['momentum-btc', 'ridge-btc']);
    await expect(sidewaysScroll(page)).resolves.toBeLessThanOrEqual(1);
    // The scorecard's rows become cards: each verdict is in view, not scrolled off to the right.
    const verdicts = page.getByTestId('scorecard').getByTestId('verdict');
    await expect.poll(() => verdicts.count(), { timeout: 20_000 }).toBe(3);
    for (const verdict of await verdicts.all()) {
      await expect(inReach(verdict.locator('[data-trust]'))).resolves.toBe(true);
    }
    await page.screenshot({
      path: join(ARTIFACTS, 'would-it-have-paid-phone.png'),
      fullPage: true,
    });
    await page.close();
  });
});
