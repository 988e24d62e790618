import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetcherService } from '@cryptoviz/fetcher';
import { insertPredictions, latestTicks, scorePredictions } from '@cryptoviz/store';
import { eventually } from '@cryptoviz/testkit';
import { writerService } from '@cryptoviz/writer';
import { launchChromium } from './chromium.ts';
import { ARTIFACTS, startBackend, startDashboard, useBrowserStack } from './stack.ts';

const HOUR = 3_600_000;
const BINANCE_BTC = fileURLToPath(
  new URL('../../../data/market/binance-btcusdt-1h.csv', import.meta.url),
);
/** The replay's last candle: mid-December 2018. */
const FIRST = '2018-11-01T00:00:00Z';
const LAST = '2018-12-15T12:00:00Z';

/** Real Binance candles of six weeks of late 2018, in a data directory of the test's own. */
function replayData(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cryptoviz-replay-'));
  const [header, ...lines] = readFileSync(BINANCE_BTC, 'utf8').trim().split('\n');
  const slice = lines.filter((line) => {
    const time = line.slice(0, line.indexOf(','));
    return time >= FIRST && time <= LAST;
  });
  writeFileSync(join(dir, 'btc.csv'), [header, ...slice].join('\n') + '\n');
  return dir;
}

const SIM = `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: sim }
spec: { provider: synthetic, symbols: [BTC], interval: 1s, synthetic: { seed: 7 } }
`;
/** The fastest replay, 2,778 market hours a second: six weeks play in half a second, then it ends. */
const REPLAY = `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: replay-2018 }
spec:
  provider: replay
  symbols: [BTC]
  quote: USDT
  interval: 1s
  replay: { data: { BTC: btc.csv }, speed: 10000000, loop: false, align: original }
`;
const MODEL = `apiVersion: cryptoviz.dev/v1alpha1
kind: PredictionModel
metadata: { name: replay-model }
spec: { algorithm: naive, symbols: [BTC], sources: [replay-2018], horizons: [1h], suspend: true }
`;

describe('a replay shown as what it is', () => {
  const stack = useBrowserStack();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack.backend = await startBackend({
      'source-sim.yaml': SIM,
      'source-replay.yaml': REPLAY,
      'model-replay.yaml': MODEL,
    });
    await stack.backend.run(writerService, { WORKER_ID: 'writer-replay' });
    await stack.backend.run(fetcherService, {
      SOURCE_FILE: join(stack.backend.manifests, 'source-sim.yaml'),
      WORKER_ID: 'fetcher-sim-replay',
    });
    await stack.backend.run(fetcherService, {
      SOURCE_FILE: join(stack.backend.manifests, 'source-replay.yaml'),
      WORKER_ID: 'fetcher-replay-2018',
      CRYPTOVIZ_DATA_DIR: replayData(),
    });
    await eventually(
      () => latestTicks(stack.backend.db.pool, { symbols: ['BTC'] }),
      (found) =>
        found.some(
          (t) => t.source === 'default/replay-2018' && t.time === new Date(LAST).toISOString(),
        ),
    );
    // Thirty days of hourly forecasts up to the replay's end, every one scored just now.
    const end = Date.parse(LAST);
    const rows = Array.from({ length: 30 * 24 }, (_, i) => {
      const madeAt = end - (30 * 24 - i) * HOUR;
      return {
        model: 'default/replay-model',
        algorithm: 'naive',
        source: 'default/replay-2018',
        symbol: 'BTC',
        horizonS: 3_600,
        madeAt: new Date(madeAt).toISOString(),
        targetAt: new Date(madeAt + HOUR).toISOString(),
        originPrice: 3_500,
        point: 3_500,
        lower: 3_450,
        upper: 3_550,
        confidence: 0.6,
        signal: 'HOLD' as const,
      };
    });
    await insertPredictions(stack.backend.db.pool, rows);
    await scorePredictions(
      stack.backend.db.pool,
      'default/replay-model',
      rows.map((p) => ({
        source: 'default/replay-2018',
        symbol: 'BTC',
        time: p.targetAt,
        price: 3_510,
      })),
    );
    stack.dashboard = await startDashboard(stack.backend);
    stack.browser = await launchChromium();
  }, 180_000);

  const YEAR = /\b(19|20)\d\d\b/;

  it('overview: a finished replay reads finished, the pipeline is not degraded, dates carry 2018', async () => {
    const page = await stack.open('/');
    const replay = page.locator('[data-testid="freshness-row"][data-source="default/replay-2018"]');
    await expect
      .poll(() => replay.getByTestId('freshness-state').textContent(), { timeout: 20_000 })
      .toContain('finished');
    await expect(replay.textContent()).resolves.toContain('15 Dec 2018, 12:00:00');
    const sim = page.locator('[data-testid="freshness-row"][data-source="default/sim"]');
    await expect(sim.getByTestId('freshness-state').textContent()).resolves.toContain('fresh');
    // Today's dates need no year.
    await expect(sim.textContent()).resolves.not.toMatch(YEAR);
    await expect
      .poll(() => page.getByTestId('health-banner').textContent())
      .toContain('All systems normal.');
    await page.screenshot({ path: join(ARTIFACTS, 'replay-overview.png'), fullPage: true });
    await page.close();
  });

  it('markets: candles of its own time, and no spread against a market of another time', async () => {
    const page = await stack.open('/markets');
    const replayRow = page.locator('[data-testid="price-row"][data-source="default/replay-2018"]');
    await expect(replayRow.textContent()).resolves.toContain('15 Dec 2018');
    const simRow = page.locator('[data-testid="price-row"][data-source="default/sim"]');
    await expect(simRow.textContent()).resolves.not.toMatch(YEAR);

    await page.getByRole('button', { name: 'Chart BTC from replay-2018' }).click();
    await page.getByRole('radio', { name: '30d' }).check();
    await expect
      .poll(() => page.getByTestId('chart-window').textContent())
      .toContain('30d to 15 Dec 2018, 13:00:00 UTC');
    // Thirty days of hourly candles, all there: the range is the replay's last thirty days.
    await expect
      .poll(async () => Number(await page.locator('.chart').getAttribute('data-bars')))
      .toBe(30 * 24);

    const spread = page.getByTestId('spread');
    await expect(spread.locator('tbody tr').allTextContents()).resolves.toEqual([
      expect.stringContaining('replay-2018'),
    ]);
    await expect(spread.getByTestId('spread-apart').textContent()).resolves.toContain(
      "Not compared: sim's newest price",
    );
    await expect(spread.textContent()).resolves.not.toContain('USD/USDT peg');
    await expect(spread.textContent()).resolves.toContain('Spread 0.0 bp');

    // From the live market's side the replay is the one left out, named with its year.
    await page.getByRole('button', { name: 'Chart BTC from sim' }).click();
    await expect
      .poll(() => spread.getByTestId('spread-apart').textContent())
      .toContain("replay-2018's newest price is from 15 Dec 2018");
    await page.screenshot({ path: join(ARTIFACTS, 'replay-markets.png'), fullPage: true });
    await page.close();
  });

  it('resources: the replay and the model that reads it read finished, not stale', async () => {
    const page = await stack.open('/resources');
    const flowing = (row: string, name: string) =>
      page.locator(`[data-testid="${row}"][data-name="${name}"] [data-condition="Flowing"]`);
    for (const chip of [
      flowing('source-row', 'replay-2018'),
      flowing('model-row', 'replay-model'),
    ]) {
      await expect.poll(() => chip.textContent(), { timeout: 20_000 }).toBe('Replay finished');
      await expect(chip.getAttribute('class')).resolves.toContain('ok');
    }
    await expect(flowing('source-row', 'sim').textContent()).resolves.toBe('Data flowing');
    await page.close();
  });

  it("predictions: the scorecard's window is the series' own last 7 days", async () => {
    const page = await stack.open('/predictions');
    const scorecard = page.getByTestId('scorecard');
    const row = scorecard.locator('tr', { hasText: 'replay-model' });
    // Every forecast was scored today; the window still holds 7 × 24 of them, not 30 days'.
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe(String(7 * 24));
    await expect(page.getByTestId('scorecard-panel').textContent()).resolves.toMatch(
      /in its own\s+time/,
    );
    await page.getByRole('combobox', { name: 'Scored over' }).selectOption({ label: '24 h' });
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('24');
    await page.close();
  });
});
