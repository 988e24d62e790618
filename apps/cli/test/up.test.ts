import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestBus,
  createTestDatabase,
  eventually,
  storedPairs,
  isAlive,
  type TestBus,
  type TestDatabase,
} from '@cryptoviz/testkit';
import { NODE_FLAGS } from '@cryptoviz/workloads';
import { startUp, UP_LINE } from './run-up.ts';

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
    const up = await startUp({
      manifests,
      bus,
      db,
      env: { GATEWAY_TOKEN: '' },
      onSpawn: (child) => (running = child),
    });
    const { webPort, gatewayPort, exited } = up;
    // What a user who opens the URL the moment `up` gives it gets: once each, no retry.
    const answersAtUp = up.atUp(() =>
      Promise.all([
        fetch(`http://127.0.0.1:${webPort}/`).then(async (r) => ({
          status: r.status,
          page: await r.text(),
        })),
        fetch(`http://127.0.0.1:${gatewayPort}/trpc/markets.latest`).then((r) => r.status),
        fetch(`http://127.0.0.1:${webPort}/trpc/markets.latest`).then((r) => r.status),
      ]),
    );
    await up.ready();
    const [dashboard, gatewayStatus, proxiedStatus] = await answersAtUp;
    expect(dashboard.status).toBe(200);
    expect(dashboard.page).toContain('<title>CryptoViz</title>');
    expect(gatewayStatus).toBe(200);
    expect(proxiedStatus).toBe(200);
    const output = up.output();
    // Each step is told as it starts and as it ends, in order, before "up".
    const before = output.slice(0, output.indexOf(UP_LINE));
    const steps = [
      '• finding PostgreSQL…',
      '• PostgreSQL: ',
      '• finding NATS…',
      '• NATS: ',
      '• migrating the database…',
      /• database \S+ migrated \((postgresql|timescaledb)\)/,
      '• compiling the workers…',
      /• workers (already )?compiled/,
      '• starting the workers…',
      /• workers started: .*writer/,
      '• building the dashboard…',
      /• dashboard (already )?built/,
      '• starting the API gateway and the dashboard…',
      '• the API gateway and the dashboard answer',
    ];
    let at = 0;
    for (const expected of steps) {
      const rest = before.slice(at);
      const found = typeof expected === 'string' ? rest.indexOf(expected) : rest.search(expected);
      expect(
        found,
        `${String(expected)} after position ${at} in:\n${before}`,
      ).toBeGreaterThanOrEqual(0);
      at += found + 1;
    }
    expect(output).toContain('fetcher-sim-a-0');
    // sim-b has 3 symbols at 2 per worker: two shards.
    expect(output).toContain('fetcher-sim-b-0');
    expect(output).toContain('fetcher-sim-b-1');
    expect(output).toMatch(/writer\s+\d+/);
    const pids = [...output.matchAll(/^\s+(?:writer|gateway|web|fetcher-\S+)\s+(\d+)/gm)].map((m) =>
      Number(m[1]),
    );
    expect(pids).toHaveLength(6);
    // Every worker and service runs compiled, on plain node with the image's V8 flags:
    // `node <NODE_FLAGS> …/cryptoviz.js <role>`.
    for (const pid of pids) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      expect(argv.join(' ')).not.toMatch(/tsx|\.ts\b/);
      expect(argv).toEqual([
        process.execPath,
        ...NODE_FLAGS,
        expect.stringMatching(/\/cryptoviz\.js$/),
        expect.stringMatching(/^(writer|fetcher|gateway|web)$/),
      ]);
    }
    expect(output).toContain(`Dashboard   http://127.0.0.1:${webPort}`);
    // Each worker says when it is ready (before or after "up": they start while the dashboard
    // builds).
    await eventually(
      async () => up.output(),
      (text) =>
        ['writer', 'fetcher-sim-a-0', 'fetcher-sim-b-0', 'fetcher-sim-b-1'].every((name) =>
          new RegExp(`• ${name} ready \\(pid \\d+\\)`).test(text),
        ),
      { timeoutMs: 60_000 },
    );

    expect(await storedPairs(db.pool, 5)).toEqual([
      'default/sim-a/BTC',
      'default/sim-a/ETH',
      'default/sim-b/ADA',
      'default/sim-b/DOGE',
      'default/sim-b/SOL',
    ]);

    // The dashboard's API serves what the fetchers published.
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

    up.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(up.output()).toContain('stopped.');
    expect(pids.filter(isAlive)).toEqual([]);
  }, 240_000);

  it('runs one source name in two namespaces as two sources whose ticks stay apart', async () => {
    const manifests = mkdtempSync(join(tmpdir(), 'manifests-'));
    const source = (namespace: string, symbol: string) => `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: binance, namespace: ${namespace} }
spec: { provider: synthetic, symbols: [${symbol}], interval: 1s }
`;
    writeFileSync(join(manifests, 'team-a.yaml'), source('team-a', 'BTC'));
    writeFileSync(join(manifests, 'team-b.yaml'), source('team-b', 'ETH'));
    const up = await startUp({
      manifests,
      bus,
      db,
      env: { GATEWAY_TOKEN: '' },
      onSpawn: (child) => (running = child),
    });
    await up.ready();
    // The summary names each by its key: two `binance` would say nothing.
    expect(up.output()).toMatch(/Manifests {3}\S+: team-a\/binance, team-b\/binance\n/);
    expect(up.output()).toContain('team-a.fetcher-binance-0');
    expect(up.output()).toContain('team-b.fetcher-binance-0');
    // Each team's fetcher published its own symbol under its own key.
    expect(await storedPairs(db.pool, 2)).toEqual(['team-a/binance/BTC', 'team-b/binance/ETH']);
    up.child.kill('SIGTERM');
    expect(await up.exited).toBe(0);
  }, 240_000);

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

  it('refuses a bad data directory or storage policy before starting anything, naming the variable', async () => {
    for (const [name, value] of [
      ['CRYPTOVIZ_DATA_DIR', ''],
      ['TICKS_RETENTION_DAYS', 'forever'],
    ] as const) {
      const up = spawn(process.execPath, [cli, 'up'], {
        env: { ...process.env, DATABASE_URL: db.url, NATS_URL: bus.url, [name]: value },
      });
      let stderr = '';
      up.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      let stdout = '';
      up.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => up.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain(name);
      // Nothing was started: no step of the start-up was announced.
      expect(stdout).toBe('');
    }
    // Two starts of the CLI from its sources: each loads TypeScript through tsx, slow on a
    // loaded 2-core machine.
  }, 120_000);
});
