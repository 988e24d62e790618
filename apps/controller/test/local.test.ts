import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestBus, eventually, isAlive, type TestBus } from '@cryptoviz/testkit';
import {
  connectControllerBus,
  startLocalController,
  type Bus,
  type LocalController,
} from '../src/index.ts';

// A stand-in worker: the real entry modules need a database; this one just stays up.
const sleeper = join(mkdtempSync(join(tmpdir(), 'worker-')), 'sleeper.mjs');
writeFileSync(
  sleeper,
  'setInterval(() => {}, 1000); process.on("SIGTERM", () => process.exit(0));\n',
);

const sourceYaml = (
  name: string,
  symbols: string[],
  extra = '',
) => `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: ${name} }
spec: { provider: synthetic, symbols: [${symbols.join(', ')}], interval: 1s, maxSymbolsPerWorker: 1${extra} }
`;

describe('local backend: a folder of manifests run as processes', () => {
  let bus: TestBus;
  let controllerBus: Bus;
  let dir: string;
  let local: LocalController | undefined;
  const events: string[] = [];
  let stateDir = '';

  beforeEach(async () => {
    bus = await createTestBus();
    controllerBus = await connectControllerBus(
      bus.url,
      bus.topo.namespace,
      'local-test',
      () => undefined,
    );
    dir = mkdtempSync(join(tmpdir(), 'manifests-'));
  });
  afterEach(async () => {
    await local?.stop();
    await controllerBus.close();
    await bus.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (
    entries: Parameters<typeof startLocalController>[0]['entries'],
    withBus = false,
  ) => {
    local = await startLocalController({
      manifestsDir: dir,
      stateDir: (stateDir = mkdtempSync(join(tmpdir(), 'state-'))),
      entries,
      baseEnv: {},
      bus: withBus ? controllerBus : undefined,
      onEvent: (line) => events.push(line),
    });
  };
  const running = () =>
    Object.fromEntries(local!.processes.list().map((w) => [w.workload.name, w.pid]));

  it('starts, restarts and stops workers as files are added, edited and deleted', async () => {
    writeFileSync(join(dir, 'a.yaml'), sourceYaml('sim-a', ['BTC']));
    await start({ fetcher: sleeper, writer: sleeper }, true);
    expect(Object.keys(running()).sort()).toEqual(['fetcher-sim-a-0', 'writer']);
    const firstPid = running()['fetcher-sim-a-0'];

    writeFileSync(join(dir, 'b.yaml'), sourceYaml('sim-b', ['ETH', 'SOL']));
    await eventually(
      async () => Object.keys(running()).sort(),
      (names) => names.length === 4,
    );
    expect(Object.keys(running()).sort()).toEqual([
      'fetcher-sim-a-0',
      'fetcher-sim-b-0',
      'fetcher-sim-b-1',
      'writer',
    ]);

    writeFileSync(join(dir, 'a.yaml'), sourceYaml('sim-a', ['BTC'], ', quote: EUR'));
    const restarted = await eventually(
      async () => running()['fetcher-sim-a-0'],
      (pid) => pid !== undefined && pid !== firstPid,
    );
    await eventually(
      async () => isAlive(firstPid),
      (alive) => !alive,
    );
    expect(isAlive(restarted)).toBe(true);

    const bPids = [running()['fetcher-sim-b-0'], running()['fetcher-sim-b-1']];
    rmSync(join(dir, 'b.yaml'));
    await eventually(
      async () => Object.keys(running()).sort(),
      (names) => names.length === 2,
    );
    await eventually(
      async () => bPids.some(isAlive),
      (alive) => !alive,
    );
  });

  it('keeps the last good version of a file that stops parsing, and says why', async () => {
    writeFileSync(join(dir, 'a.yaml'), sourceYaml('sim-a', ['BTC']));
    await start({ fetcher: sleeper, writer: sleeper });
    const pid = running()['fetcher-sim-a-0'];
    writeFileSync(join(dir, 'a.yaml'), sourceYaml('sim-a', ['btc']));
    await eventually(
      async () => events.join('\n'),
      (text) =>
        /a\.yaml \(document 1\): CryptoSource "sim-a" is invalid: spec\.symbols\.0.*\(keeping the last good version\)/.test(
          text,
        ),
    );
    expect(running()['fetcher-sim-a-0']).toBe(pid);
  });

  it('says a new file that never parsed runs nothing, not that a last good version is kept', async () => {
    writeFileSync(join(dir, 'a.yaml'), sourceYaml('sim-a', ['BTC']));
    await start({ fetcher: sleeper, writer: sleeper });
    writeFileSync(join(dir, 'new.yaml'), sourceYaml('sim-new', ['btc']));
    const line = await eventually(
      async () => events.find((event) => event.startsWith(`${join(dir, 'new.yaml')} `)),
      (found) => found !== undefined,
    );
    expect(line).toMatch(/CryptoSource "sim-new" is invalid: spec\.symbols\.0/);
    expect(line).toContain('(nothing in this file runs until it is valid)');
    expect(line).not.toContain('last good');
    expect(Object.keys(running()).sort()).toEqual(['fetcher-sim-a-0', 'writer']);
  });

  it('skips a role whose entry module is missing, with a clear event', async () => {
    writeFileSync(
      join(dir, 'm.yaml'),
      `apiVersion: cryptoviz.dev/v1alpha1
kind: PredictionModel
metadata: { name: btc-naive }
spec: { algorithm: naive, symbols: [BTC] }
`,
    );
    await start({ writer: sleeper });
    expect(Object.keys(running())).toEqual(['writer']);
    expect(events.join('\n')).toContain(
      'predictor-btc-naive-0: skipped — no entry module for the predictor role on this machine',
    );
  });

  it('runs namesakes of two namespaces side by side, each worker told its own namespace', async () => {
    const inNamespace = (namespace: string) =>
      sourceYaml('binance', ['BTC']).replace(
        'metadata: { name: binance }',
        `metadata: { name: binance, namespace: ${namespace} }`,
      );
    writeFileSync(join(dir, 'a.yaml'), inNamespace('team-a'));
    writeFileSync(join(dir, 'b.yaml'), inNamespace('team-b'));
    writeFileSync(join(dir, 'c.yaml'), sourceYaml('binance', ['BTC']));
    await start({ fetcher: sleeper, writer: sleeper });
    const names = Object.keys(running()).sort();
    expect(names).toEqual([
      'fetcher-binance-0',
      'team-a.fetcher-binance-0',
      'team-b.fetcher-binance-0',
      'writer',
    ]);
    for (const [name, namespace] of [
      ['fetcher-binance-0', 'default'],
      ['team-a.fetcher-binance-0', 'team-a'],
      ['team-b.fetcher-binance-0', 'team-b'],
    ] as const) {
      const manifest = JSON.parse(
        readFileSync(join(stateDir, 'workloads', name, 'binance.json'), 'utf8'),
      ) as { metadata: unknown };
      expect(manifest.metadata).toEqual({ name: 'binance', namespace });
    }
    // Deleting one namespace's stops its worker only.
    rmSync(join(dir, 'a.yaml'));
    await eventually(
      async () => Object.keys(running()).sort(),
      (now) => now.length === 3 && !now.includes('team-a.fetcher-binance-0'),
    );
  });

  it('fills an API key from the Secret of the source’s own namespace, never another’s', async () => {
    // A worker that reports the key it was given, next to its manifest.
    const reporter = join(mkdtempSync(join(tmpdir(), 'worker-')), 'key-reporter.mjs');
    writeFileSync(
      reporter,
      [
        'import { writeFileSync } from "node:fs";',
        'import { dirname, join } from "node:path";',
        'writeFileSync(join(dirname(process.env.SOURCE_FILE), "key"), process.env.CRYPTOVIZ_API_KEY ?? "none");',
        'setInterval(() => {}, 1000); process.on("SIGTERM", () => process.exit(0));',
      ].join('\n'),
    );
    const team = (namespace: string, secret: string) => `apiVersion: v1
kind: Secret
metadata: { name: exchange, namespace: ${namespace} }
stringData: { apiKey: ${secret} }
---
${sourceYaml('binance', ['BTC'], ', apiKeySecretRef: { name: exchange, key: apiKey }').replace(
  'metadata: { name: binance }',
  `metadata: { name: binance, namespace: ${namespace} }`,
)}`;
    writeFileSync(join(dir, 'a.yaml'), team('team-a', 'key-of-a'));
    writeFileSync(join(dir, 'b.yaml'), team('team-b', 'key-of-b'));
    // team-c names a Secret only other namespaces hold.
    writeFileSync(
      join(dir, 'c.yaml'),
      team('team-c', 'unused').replace(/^apiVersion: v1[\s\S]*?---\n/, ''),
    );
    await start({ fetcher: reporter, writer: sleeper });
    const keyOf = (name: string) =>
      eventually(
        async () => {
          try {
            return readFileSync(join(stateDir, 'workloads', name, 'key'), 'utf8');
          } catch {
            return undefined;
          }
        },
        (key) => key !== undefined,
      );
    expect(await keyOf('team-a.fetcher-binance-0')).toBe('key-of-a');
    expect(await keyOf('team-b.fetcher-binance-0')).toBe('key-of-b');
    expect(await keyOf('team-c.fetcher-binance-0')).toBe('none');
    expect(events).toContain(
      'team-c.fetcher-binance-0: key apiKey of Secret team-c/exchange not found',
    );
  });
});
