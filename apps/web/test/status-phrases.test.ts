import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetcherService } from '@cryptoviz/fetcher';
import { eventually } from '@cryptoviz/testkit';
import { writerService } from '@cryptoviz/writer';
import { launchChromium } from './chromium.ts';
import { startBackend, startDashboard, useBrowserStack } from './stack.ts';

const SOURCES = {
  'source-sim.yaml': `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: sim }
spec: { provider: synthetic, symbols: [BTC], interval: 1s }
`,
  // Its file is missing from the data directory the fetcher reads.
  'source-gone.yaml': `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: gone }
spec:
  provider: replay
  symbols: [BTC]
  interval: 1s
  replay: { data: { BTC: market/missing.csv } }
`,
};

/**
 * The status badges of one source's row as a person reads them (words and tooltip), on a fresh
 * load of the page: what the workers' heartbeats say now.
 */
async function badges(page: Page, url: string, source: string) {
  await page.goto(`${url}/resources`);
  const chips = page.locator(`[data-testid="source-row"][data-name="${source}"] [data-condition]`);
  await chips.first().waitFor();
  return chips.evaluateAll((found) =>
    found.map((chip) => ({
      text: chip.textContent?.trim() ?? '',
      title: chip.getAttribute('title') ?? '',
    })),
  );
}

describe('status badges on the resources page', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'replay-data-'));
  const stack = useBrowserStack({ failOnPageErrors: false });
  beforeAll(async () => {
    stack.backend = await startBackend(SOURCES);
    // Stored ticks are what "Data flowing" is judged by.
    await stack.backend.run(writerService, { WORKER_ID: 'writer-phrases' });
    for (const [file, id] of [
      ['source-sim.yaml', 'fetcher-sim-0'],
      ['source-gone.yaml', 'fetcher-gone-0'],
    ] as const) {
      await stack.backend.run(fetcherService, {
        SOURCE_FILE: join(stack.backend.manifests, file),
        WORKER_ID: id,
        CRYPTOVIZ_DATA_DIR: dataDir,
      });
    }
    stack.dashboard = await startDashboard(stack.backend);
    stack.browser = await launchChromium();
  }, 120_000);
  it('reads as phrases, and a replay source whose file is missing is not Ready, naming the field', async () => {
    const page = await stack.open('/resources');
    const sim = await eventually(
      async () => badges(page, stack.dashboard.url, 'sim'),
      (chips) => chips.some((chip) => chip.text === 'Data flowing'),
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(sim.map((chip) => chip.text)).toEqual(['Ready', 'Data flowing', 'No errors']);

    const gone = await eventually(
      async () => badges(page, stack.dashboard.url, 'gone'),
      (chips) => chips.some((chip) => chip.text.startsWith('Not ready')),
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    const ready = gone[0]!;
    expect(ready.text).toBe('Not ready: invalid settings');
    expect(ready.title).toBe(
      `fetcher-gone-0: fix the source's spec (replay.data.BTC "market/missing.csv": no such file in the data directory)`,
    );
    expect(ready.title).not.toContain(dataDir);
    expect(gone.map((chip) => chip.text)).toContain('Problem: invalid settings');

    // No badge shows a machine's reason: "Degraded: NoErrors", "Ready: WorkersReporting".
    for (const chip of [...sim, ...gone]) {
      expect(chip.text).not.toMatch(/^(Ready|Flowing|Degraded):|[a-z][A-Z]/);
    }
  }, 120_000);
});
