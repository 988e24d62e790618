import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestTicks } from '@cryptoviz/store';
import { freePort } from '@cryptoviz/workloads';
import {
  createTestBus,
  createTestDatabase,
  eventually,
  isAlive,
  type TestBus,
  type TestDatabase,
} from '@cryptoviz/testkit';

const cli = join(import.meta.dirname, '../bin/cryptoviz.js');

describe('cryptoviz up', () => {
  let bus: TestBus;
  let db: TestDatabase;
  let running: ChildProcess | undefined;
  beforeEach(async () => {
    [bus, db] = await Promise.all([createTestBus(), createTestDatabase()]);
  });
  afterEach(async () => {
    // A failed test must not leave the platform running: killing `up` stops its workers.
    if (running && running.exitCode === null && running.signalCode === null) {
      running.kill('SIGKILL');
    }
    running = undefined;
    await Promise.all([bus.drop(), db.drop()]);
  });

  it('runs a writer, a fetcher per source shard, the API and the dashboard, and stops them all on SIGTERM', async () => {
    const [gatewayPort, webPort] = [await freePort(), await freePort()];
    const manifests = mkdtempSync(join(tmpdir(), 'manifests-'));
    writeFileSync(
      join(manifests, 'sources.yaml'),
      `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: sim-a }
spec: { provider: synthetic, symbols: [BTC, ETH], interval: 1s }
---
apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: sim-b }
spec: { provider: synthetic, symbols: [SOL, ADA, DOGE], interval: 1s, maxSymbolsPerWorker: 2 }
`,
    );
    const up = spawn(
      process.execPath,
      [
        cli,
        'up',
        '--manifests',
        manifests,
        '--state-dir',
        mkdtempSync(join(tmpdir(), 'state-')),
        '--namespace',
        bus.topo.namespace,
        '--gateway-port',
        String(gatewayPort),
        '--web-port',
        String(webPort),
      ],
      { env: { ...process.env, DATABASE_URL: db.url, NATS_URL: bus.url, GATEWAY_TOKEN: '' } },
    );
    running = up;
    let output = '';
    up.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    up.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => up.once('exit', resolve));

    await eventually(
      async () => output,
      (text) => text.includes('Press Ctrl-C to stop.'),
      // Seven Node processes start with TypeScript: slow on a loaded 2-core machine.
      { timeoutMs: 60_000 },
    );
    expect(output).toContain('fetcher-sim-a-0');
    // sim-b has 3 symbols at 2 per worker: two shards.
    expect(output).toContain('fetcher-sim-b-0');
    expect(output).toContain('fetcher-sim-b-1');
    expect(output).toMatch(/writer\s+\d+/);
    const pids = [...output.matchAll(/^\s+(?:writer|gateway|web|fetcher-\S+)\s+(\d+)/gm)].map((m) =>
      Number(m[1]),
    );
    expect(pids).toHaveLength(6);
    expect(output).toContain(`Dashboard   http://127.0.0.1:${webPort}`);

    const latest = await eventually(
      () => latestTicks(db.pool),
      (ticks) => ticks.length === 5,
      { timeoutMs: 30_000 },
    );
    expect(latest.map((t) => `${t.source}/${t.symbol}`).sort()).toEqual([
      'sim-a/BTC',
      'sim-a/ETH',
      'sim-b/ADA',
      'sim-b/DOGE',
      'sim-b/SOL',
    ]);

    // The dashboard answers, and its API serves what the fetchers published.
    const page = await eventually(
      () =>
        fetch(`http://127.0.0.1:${webPort}/`).then(
          (r) => r.text(),
          () => '',
        ),
      (html) => html.includes('<title>CryptoViz</title>'),
    );
    expect(page).toContain('CryptoViz');
    // The gateway may still be starting when the page answers: wait for its data.
    const symbols = await eventually(
      () =>
        fetch(`http://127.0.0.1:${webPort}/trpc/markets.latest`)
          .then((r) => r.json() as Promise<{ result?: { data: { symbol: string }[] } }>)
          .then(
            (body) => (body.result?.data ?? []).map((t) => t.symbol).sort(),
            () => [],
          ),
      (list) => list.length === 5,
      { timeoutMs: 30_000 },
    );
    expect(symbols).toEqual(['ADA', 'BTC', 'DOGE', 'ETH', 'SOL']);

    up.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('stopped.');
    expect(pids.filter(isAlive)).toEqual([]);
  }, 150_000);

  it('refuses an invalid manifest, naming the file and the field', async () => {
    const manifests = mkdtempSync(join(tmpdir(), 'manifests-'));
    writeFileSync(
      join(manifests, 'bad.yaml'),
      `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: bad }
spec: { provider: bitstamp, symbols: [btc] }
`,
    );
    const up = spawn(process.execPath, [cli, 'up', '--manifests', manifests], {
      env: { ...process.env, DATABASE_URL: db.url, NATS_URL: bus.url },
    });
    let stderr = '';
    up.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => up.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/bad\.yaml \(document 1\): CryptoSource "bad" is invalid: /);
    expect(stderr).toMatch(/spec\.provider: /);
    expect(stderr).toMatch(/spec\.symbols\.0: must be 1–15 uppercase/);
  });
});
