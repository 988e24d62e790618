import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PredictionRecord } from '@cryptoviz/forecast';
import { fetcherService } from '@cryptoviz/fetcher';
import { predictorService } from '@cryptoviz/predictor';
import {
  insertPredictions,
  insertTicks,
  latestTicks,
  predictionHistory,
  scorePredictions,
} from '@cryptoviz/store';
import { eventually } from '@cryptoviz/testkit';
import { writerService } from '@cryptoviz/writer';
import { formatTime } from '../src/lib/format.ts';
import { launchChromium } from './chromium.ts';
import {
  ARTIFACTS,
  openPage,
  startBackend,
  startDashboard,
  TOKEN,
  useBrowserStack,
} from './stack.ts';
import { inPage } from './page-probes.ts';

const HOUR = 3_600_000;
const SOURCE = 'sim';
/** Rows name resources by key: these manifests are in `default`. */
const key = (name: string) => `default/${name}`;
const SOURCE_KEY = key(SOURCE);
/** The PredictionModel a real predictor serves during the test. */
const LIVE_MODEL = 'live-naive';

const SOURCE_MANIFEST = `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: ${SOURCE} }
spec:
  provider: synthetic
  symbols: [BTC, ETH, SOL]
  interval: 1s
  synthetic: { seed: 7 }
`;

/** A second simulated market: its own random path, so BTC diverges between the two. */
const OTHER_SOURCE_MANIFEST = `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: sim-b }
spec:
  provider: synthetic
  symbols: [BTC]
  interval: 1s
  synthetic: { seed: 99 }
`;

/**
 * One-second bars, an hour ahead: the dashboard shows whole-hour horizons, and one-second bars
 * make a new forecast every second once the model has an hour of history (seeded below).
 */
const MODEL_MANIFEST = `apiVersion: cryptoviz.dev/v1alpha1
kind: PredictionModel
metadata: { name: ${LIVE_MODEL} }
spec:
  algorithm: naive
  symbols: [BTC, ETH]
  sources: [${SOURCE}]
  interval: 1s
  horizons: [1h]
`;

/**
 * The sources and models the test seeds data for without running them: declared (suspended),
 * since live views show declared resources only.
 */
const SEEDED_MANIFESTS = [
  `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: odd-exchange }
spec: { provider: kraken, symbols: [BTC], suspend: true }
`,
  `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: far-exchange }
spec: { provider: synthetic, symbols: [BTC], suspend: true }
`,
  ...['ridge', 'momentum', 'naive'].map(
    (algorithm) => `apiVersion: cryptoviz.dev/v1alpha1
kind: PredictionModel
metadata: { name: ${algorithm}-btc }
spec: { algorithm: ${algorithm}, symbols: [BTC], sources: [${SOURCE}, far-exchange], horizons: [1h, 6h], suspend: true }
`,
  ),
].join('---\n');

type Tick = Parameters<typeof insertTicks>[1][number];

/**
 * The simulated market's last hour and a bit, before its fetcher started: one tick every 10 s
 * (the predictor forward-fills the bars between), enough for a 1-second model to forecast an
 * hour ahead as soon as it has warmed up from the database.
 */
function seededHistory(before: number, prices: ReadonlyMap<string, number>): Tick[] {
  const ticks: Tick[] = [];
  for (const [symbol, level] of prices) {
    for (let t = before - 3_700_000; t < before - 1_000; t += 10_000) {
      ticks.push({
        source: SOURCE_KEY,
        provider: 'synthetic',
        symbol,
        quote: 'USD',
        price: level * (1 + 0.002 * Math.sin(t / 600_000)),
        volume24h: null,
        marketCap: null,
        change24hPct: null,
        time: new Date(t).toISOString(),
      });
    }
  }
  return ticks;
}

/**
 * Forecasts as the predictor would store them: three models, 1h and 6h, hourly for two days,
 * each scored once its target hour has passed. `ridge` is close, `momentum` is poor.
 */
function seededPredictions(
  nowMs: number,
  level: number,
): {
  rows: PredictionRecord[];
  closes: Map<string, number>;
} {
  const rows: PredictionRecord[] = [];
  const closes = new Map<string, number>();
  const base = Math.floor(nowMs / HOUR) * HOUR;
  const price = (t: number) => level * (1 + 0.01 * Math.sin(t / (5 * HOUR)));
  for (let h = 48; h >= 0; h--) {
    const madeAt = base - h * HOUR;
    const origin = price(madeAt);
    for (const horizonH of [1, 6]) {
      const target = madeAt + horizonH * HOUR;
      const actual = price(target);
      closes.set(new Date(target).toISOString(), actual);
      const models: [string, string, number][] = [
        ['ridge-btc', 'ridge', origin + 0.8 * (actual - origin)],
        ['momentum-btc', 'momentum', origin - 0.9 * (actual - origin)],
        ['naive-btc', 'naive', origin],
      ];
      for (const [model, algorithm, point] of models) {
        const width = origin * 0.004 * Math.sqrt(horizonH);
        const move = point / origin - 1;
        rows.push({
          model: key(model),
          algorithm,
          source: SOURCE_KEY,
          symbol: 'BTC',
          horizonS: horizonH * 3_600,
          madeAt: new Date(madeAt).toISOString(),
          targetAt: new Date(target).toISOString(),
          originPrice: origin,
          point,
          lower: point - width,
          upper: point + width,
          confidence: 0.75,
          signal: move > 0.002 ? 'BUY' : move < -0.002 ? 'SELL' : 'HOLD',
        });
      }
    }
  }
  return { rows, closes };
}

const isFocused = inPage<unknown, boolean>('(el) => el === document.activeElement');

/** Presses Tab until `target` has the focus; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 20): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate(isFocused)) return;
  }
  throw new Error(`Tab never reached ${target.toString()} in ${max} presses`);
}

/** The element's outline as drawn: style and width in px. */
const outlineOf = (target: Locator) =>
  target.evaluate(
    inPage<unknown, { style: string; width: number }>(
      '(el) => ({ style: getComputedStyle(el).outlineStyle, width: parseFloat(getComputedStyle(el).outlineWidth) })',
    ),
  );

/** A keyboard-focused control shows a ring it does not show otherwise. */
async function expectFocusRing(page: Page, target: Locator): Promise<void> {
  const focused = await outlineOf(target);
  expect(focused.style).not.toBe('none');
  expect(focused.width).toBeGreaterThanOrEqual(2);
  await page.mouse.click(1, 1); // elsewhere: the control loses the focus
  const unfocused = await outlineOf(target);
  expect(unfocused.style === 'none' || unfocused.width === 0).toBe(true);
  await target.focus();
}

interface Contrast {
  text: string;
  ratio: number;
  /** Relative luminance of what is behind the text: 0 black, 1 white. */
  background: number;
}

/**
 * Every visible piece of text in `selector` (or, with `whole`, each matched element itself) (the element holding the text node) with the
 * contrast of its colour against what is actually behind it: the backgrounds of it and its
 * ancestors composited (semi-transparent row highlights included), WCAG 2 relative luminance.
 */
const contrastProbe = inPage<
  { selector: string; whole: boolean },
  Contrast[]
>(`({ selector, whole }) => {
  const parse = (text) => {
    const rgb = text.match(/^rgba?\\(([^)]*)\\)$/);
    const srgb = text.match(/^color\\(srgb ([^)]*)\\)$/);
    const parts = (rgb ?? srgb)?.[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    if (!parts) throw new Error('unparsed colour ' + text);
    const scale = rgb ? 255 : 1;
    return [parts[0] / scale, parts[1] / scale, parts[2] / scale, parts[3] ?? 1];
  };
  const over = (top, below) => top.slice(0, 3).map((c, i) => c * top[3] + below[i] * (1 - top[3]));
  const luminance = (c) => {
    const [r, g, b] = c.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const backdrop = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const layer = parse(getComputedStyle(node).backgroundColor);
      if (layer[3] > 0) layers.push(layer);
      if (layer[3] === 1) break;
    }
    let colour = [1, 1, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const found = [];
  for (const root of document.querySelectorAll(selector)) {
    for (const el of whole ? [root] : [root, ...root.querySelectorAll('*')]) {
      const own = whole ? root.tagName : [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join(' ').trim();
      const box = el.getBoundingClientRect();
      if (!own || box.width <= 1 || box.height <= 1 || !el.checkVisibility()) continue;
      const background = backdrop(el);
      const text = over(parse(getComputedStyle(el).color), background);
      const [a, b] = [luminance(text), luminance(background)].sort((x, y) => y - x);
      found.push({ text: own.slice(0, 40), ratio: (a + 0.05) / (b + 0.05), background: luminance(background) });
    }
  }
  return found;
}`);

const contrastIn = (page: Page, selector: string, whole = false) =>
  page.evaluate(contrastProbe, { selector, whole });

describe('dashboard in a browser', () => {
  const stack = useBrowserStack();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack.backend = await startBackend({
      'source-sim.yaml': SOURCE_MANIFEST,
      'source-sim-b.yaml': OTHER_SOURCE_MANIFEST,
      'model-live-naive.yaml': MODEL_MANIFEST,
      'seeded.yaml': SEEDED_MANIFESTS,
    });
    await stack.backend.run(writerService, { WORKER_ID: 'writer-e2e' });
    const fetchersStartedAt = Date.now();
    for (const [file, id] of [
      ['source-sim.yaml', 'fetcher-sim-e2e'],
      ['source-sim-b.yaml', 'fetcher-sim-b-e2e'],
    ] as const) {
      await stack.backend.run(fetcherService, {
        SOURCE_FILE: join(stack.backend.manifests, file),
        WORKER_ID: id,
      });
    }
    stack.dashboard = await startDashboard(stack.backend);

    const { pool } = stack.backend.db;
    const ticks = await eventually(
      () => latestTicks(pool, { symbols: ['BTC', 'ETH'] }),
      (found) => found.filter((t) => t.source === SOURCE_KEY).length === 2,
    );
    const priceOf = (symbol: string) =>
      ticks.find((t) => t.source === SOURCE_KEY && t.symbol === symbol)!.price;
    const btc = priceOf('BTC');
    const { rows, closes } = seededPredictions(Date.now(), btc);
    // An exchange quoting BTC 2 % above the simulated markets: the one to flag.
    await insertTicks(pool, [
      {
        source: key('odd-exchange'),
        provider: 'kraken',
        symbol: 'BTC',
        quote: 'USD',
        price: btc * 1.02,
        volume24h: null,
        marketCap: null,
        change24hPct: null,
        time: new Date().toISOString(),
      },
      ...seededHistory(
        fetchersStartedAt,
        new Map([
          ['BTC', btc],
          ['ETH', priceOf('ETH')],
        ]),
      ),
    ]);
    // The same model on a market quoting BTC half again higher (forecasts only): at the same
    // times as on the first, never to be drawn or averaged with them.
    const elsewhere = rows
      .filter((row) => row.model === key('ridge-btc'))
      .map((row) => ({
        ...row,
        source: key('far-exchange'),
        originPrice: row.originPrice * 1.5,
        point: row.point * 1.5,
        lower: row.lower * 1.5,
        upper: row.upper * 1.5,
      }));
    await insertPredictions(pool, [...rows, ...elsewhere]);
    const nowIso = new Date().toISOString();
    for (const model of ['ridge-btc', 'momentum-btc', 'naive-btc']) {
      await scorePredictions(
        pool,
        key(model),
        [...closes]
          .filter(([time]) => time <= nowIso)
          .map(([time, price]) => ({ source: SOURCE_KEY, symbol: 'BTC', time, price })),
      );
    }
    // A real predictor: it warms up from the history above, then forecasts every second.
    await stack.backend.run(predictorService, {
      MODEL_FILE: join(stack.backend.manifests, 'model-live-naive.yaml'),
      WORKER_ID: 'predictor-e2e',
    });
    stack.browser = await launchChromium();
  }, 180_000);

  it('overview: shows the workers reporting and a healthy ingest', async () => {
    const page = await stack.open('/');
    await page.getByTestId('role-writer').getByText('1', { exact: true }).waitFor();
    await page.getByTestId('role-fetcher').getByText('2', { exact: true }).waitFor();
    await page.getByTestId('role-predictor').getByText('1', { exact: true }).waitFor();
    await expect.poll(() => page.getByTestId('worker-row').count()).toBeGreaterThanOrEqual(5);
    await page.getByTestId('connection').getByText('Live').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
    await page.close();
  });

  it('markets: a live price changes on screen without a reload', async () => {
    const page = await stack.open('/markets');
    const btc = page.locator(
      `[data-testid="price-row"][data-symbol="BTC"][data-source="${SOURCE_KEY}"]`,
    );
    const price = btc.getByTestId('price');
    await price.waitFor();
    const first = await price.textContent();
    let reloaded = false;
    page.on('load', () => (reloaded = true));
    await expect.poll(() => price.textContent(), { timeout: 20_000 }).not.toBe(first);
    expect(reloaded).toBe(false);
    // The odd exchange strays 2 % from the others' median: the spread view flags it alone.
    const spread = page.getByTestId('spread');
    await spread.getByText('diverges').waitFor();
    await expect(spread.locator('tr.divergent').textContent()).resolves.toContain('odd-exchange');
    await page.locator('.chart canvas').first().waitFor();
    // The candle query is accepted (no error shown above the chart).
    await expect(
      page.locator('section[aria-labelledby="chart-title"] [role="alert"]').count(),
    ).resolves.toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'markets.png'), fullPage: true });
    await page.close();
  });

  it('predictions: forecasts with bands, the consensus, signals and a scorecard', async () => {
    const page = await stack.open('/predictions');
    await page.getByTestId('forecast-chart').waitFor();
    const scorecard = page.getByTestId('scorecard');
    await scorecard.getByText('ridge-btc').waitFor();
    // Verdicts of the Diebold–Mariano test: ridge's errors are a fifth of naive's, momentum's
    // nearly twice them, over 48 hourly pairs.
    await expect(scorecard.locator('[data-trust="beats-naive"]').count()).resolves.toBe(1);
    await expect(
      scorecard.locator('[data-trust="worse-than-naive"]').count(),
    ).resolves.toBeGreaterThan(0);
    await page.getByTestId('signals-table').getByText('consensus').waitFor();
    // One market per chart: its price labels span one level, not BTC here and half again there.
    const priceLevels = async () =>
      (await page.getByTestId('forecast-chart').locator('[data-axis="price"]').allTextContents())
        .map((label) => Number(label.replaceAll(',', '')))
        .filter((level) => level > 0);
    const levels = await priceLevels();
    expect(levels.length).toBeGreaterThan(1);
    expect(Math.max(...levels) / Math.min(...levels)).toBeLessThan(1.2);
    // The other market is one choice away, drawn at its own level: 'far-exchange' comes
    // first, half again above the simulated market.
    const sourcePicker = page.getByRole('combobox', { name: 'Source' });
    await expect(sourcePicker.inputValue()).resolves.toBe(key('far-exchange'));
    await sourcePicker.selectOption(SOURCE);
    await expect
      .poll(async () => Math.max(...levels) / Math.max(...(await priceLevels())), {
        timeout: 10_000,
      })
      .toBeGreaterThan(1.2);
    await page.screenshot({ path: join(ARTIFACTS, 'predictions.png'), fullPage: true });
    await page.close();
  });

  it('predictions: a forecast the running predictor publishes appears without a reload', async () => {
    const page = await stack.open('/predictions');
    const row = page.getByTestId('signals-table').locator('tr', { hasText: LIVE_MODEL });
    const madeAt = row.locator('td').last();
    await madeAt.waitFor();
    const first = await madeAt.textContent();
    let reloaded = false;
    page.on('load', () => (reloaded = true));
    // One-second bars: a new forecast a second, each stored, then published on PREDICTIONS.
    await expect.poll(() => madeAt.textContent(), { timeout: 15_000 }).not.toBe(first);
    expect(reloaded).toBe(false);
    const shown = (await madeAt.textContent())!.trim();
    const stored = await predictionHistory(stack.backend.db.pool, {
      model: key(LIVE_MODEL),
      symbol: 'BTC',
      horizonS: 3600,
      from: new Date(Date.now() - 120_000),
      to: new Date(Date.now() + 1_000),
      limit: 1_000,
    });
    // What the page shows is a forecast the predictor made (and stored) during the test.
    expect(stored.map((p) => formatTime(p.madeAt))).toContain(shown);
    expect(shown).not.toBe(first!.trim());
    await page.close();
  });

  it('connection badge: leaves Live while the gateway is down, and returns without a reload', async () => {
    const own = await startDashboard(stack.backend);
    try {
      const page = await openPage(stack.browser, `${own.url}/markets`, {
        onPageError: stack.onPageError,
      });
      const badge = page.getByTestId('connection');
      const price = page
        .locator(`[data-testid="price-row"][data-symbol="BTC"][data-source="${SOURCE_KEY}"]`)
        .getByTestId('price');
      await badge.getByText('Live', { exact: true }).waitFor();
      // The table is on screen before the outage, or there is no price to see move on.
      await price.waitFor();
      let reloaded = false;
      page.on('load', () => (reloaded = true));

      await own.stopGateway();
      await expect
        .poll(() => badge.textContent(), { timeout: 10_000 })
        .toMatch(/Reconnecting…|Offline/);
      // Down long enough for the browser's own retry to find the gateway gone, too.
      await page.waitForTimeout(4_000);
      await expect(badge.textContent()).resolves.not.toContain('Live');
      const before = await price.textContent();

      await own.startGateway();
      await expect.poll(() => badge.textContent(), { timeout: 20_000 }).toContain('Live');
      // And the data flows again: the price moves on.
      await expect.poll(() => price.textContent(), { timeout: 10_000 }).not.toBe(before);
      expect(reloaded).toBe(false);
      await page.close();
    } finally {
      await own.stop();
    }
  }, 60_000);

  it('keyboard: the navigation and the prediction controls work without a mouse', async () => {
    const page = await stack.open('/');
    await page.getByTestId('connection').getByText('Live', { exact: true }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    const link = nav.getByRole('link', { name: 'Predictions' });
    await tabTo(page, link);
    await expectFocusRing(page, link);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/predictions$/);
    await expect(link.getAttribute('aria-current')).resolves.toBe('page');

    const title = page.locator('#forecast-title');
    await expect.poll(() => title.textContent()).toBe('BTC · 1h forecasts');
    const coin = page.getByRole('combobox', { name: 'Coin' });
    // The coins are those with forecasts: ETH's may arrive after BTC's.
    await coin.locator('option[value="ETH"]').waitFor({ state: 'attached' });
    await tabTo(page, coin);
    await expectFocusRing(page, coin);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => title.textContent()).toBe('ETH · 1h forecasts');
    await page.getByTestId('signals-table').getByText(LIVE_MODEL).waitFor();

    // Tab enters the radio group on the checked one; the arrows move the choice.
    const oneHour = page.getByRole('radio', { name: '1h' });
    await tabTo(page, oneHour, 3);
    await expectFocusRing(page, oneHour);
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('radio', { name: '6h' }).isChecked()).resolves.toBe(true);
    await expect.poll(() => title.textContent()).toBe('ETH · 6h forecasts');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => title.textContent()).toBe('ETH · 1h forecasts');
    await page.close();
  });

  it('empty and error states: says so instead of showing a blank panel', async () => {
    // A fresh database and bus: nobody publishes anything.
    const empty = await startBackend();
    const nothing = await startDashboard(empty);
    // A gateway that refuses queries over more than 10 rows: every chart's query.
    const strict = await startDashboard(stack.backend, { GATEWAY_MAX_ROWS: '10' });
    try {
      const markets = await openPage(stack.browser, `${nothing.url}/markets`, {
        onPageError: stack.onPageError,
      });
      await markets.getByText('No prices yet: is a source running?').waitFor();
      await markets.close();
      const predictions = await openPage(stack.browser, `${nothing.url}/predictions`, {
        onPageError: stack.onPageError,
      });
      await predictions.getByText('No forecasts yet: is a PredictionModel running?').waitFor();
      await predictions.close();

      const refused = await openPage(stack.browser, `${strict.url}/markets`, {
        onPageError: stack.onPageError,
      });
      const chart = refused.locator('section[aria-labelledby="chart-title"]');
      await chart.getByRole('alert').getByText('range too large').waitFor();
      // The rest of the page still works.
      await refused.getByTestId('price-row').first().waitFor();
      await refused.close();
      const forecasts = await openPage(stack.browser, `${strict.url}/predictions`, {
        onPageError: stack.onPageError,
      });
      await forecasts
        .locator('section[aria-labelledby="forecast-title"]')
        .getByRole('alert')
        .getByText('Could not load the forecast history: range too large')
        .waitFor();
      await forecasts.screenshot({ path: join(ARTIFACTS, 'predictions-error.png') });
      await forecasts.close();
    } finally {
      await strict.stop();
      await nothing.stop();
      await empty.stop();
    }
  }, 60_000);

  it('dark mode: dark backgrounds and readable text on every table', async () => {
    for (const [path, ready] of [
      ['/markets', 'price-row'],
      ['/predictions', 'signal'],
    ] as const) {
      const page = await stack.open(path, { colorScheme: 'dark' });
      await page.getByTestId(ready).first().waitFor();
      const [body] = await contrastIn(page, 'body', true);
      expect(body!.background).toBeLessThan(0.05);
      expect(body!.ratio).toBeGreaterThanOrEqual(4.5);
      const cells = await contrastIn(page, 'main table');
      expect(cells.length).toBeGreaterThan(10);
      expect(cells.filter((c) => c.background >= 0.05)).toEqual([]);
      expect(cells.filter((c) => c.ratio < 4.5)).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `${path.slice(1)}-dark.png`), fullPage: true });
      await page.close();
    }
  });

  it('sources & models: creating a source with the token makes it appear', async () => {
    const page = await stack.open('/resources');
    await page.locator('[data-testid="source-row"][data-name="sim"]').waitFor();
    await page.getByTestId('token').fill(TOKEN);
    await page.getByRole('button', { name: 'New source' }).click();
    const form = page.getByTestId('source-form');
    await form.locator('input[name="name"]').fill('from-browser');
    await form.locator('input[name="symbols"]').fill('btc, doge');
    await form.locator('input[name="interval"]').fill('soon');
    await form.getByRole('button', { name: 'Create source' }).click();
    // The CRD schema refuses the interval before anything is sent.
    await form.getByText('must be a duration').waitFor();
    await form.locator('input[name="interval"]').fill('30s');
    await form.getByRole('button', { name: 'Create source' }).click();
    await page.locator('[data-testid="source-row"][data-name="from-browser"]').waitFor();
    await page.getByTestId('notice').getByText('saved').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'resources.png'), fullPage: true });
    await page.close();

    const dark = await stack.open('/resources', { colorScheme: 'dark' });
    await dark.locator('[data-testid="source-row"][data-name="from-browser"]').waitFor();
    await dark.screenshot({ path: join(ARTIFACTS, 'resources-dark.png'), fullPage: true });
    await dark.close();
  });
});
