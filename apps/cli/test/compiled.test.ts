import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '@cryptoviz/kube-testenv';
import {
  createTestBus,
  createTestDatabase,
  eventually,
  storedPairs,
  type TestBus,
  type TestDatabase,
} from '@cryptoviz/testkit';
import { spawnWatched } from '@cryptoviz/testkit/process';
import { DEFAULT_BUILD_DIR } from '@cryptoviz/web/build';
import { freePort } from '@cryptoviz/workloads';
import { ensureCompiledPlatform } from '../src/build/compile.ts';

const manifests = mkdtempSync(join(tmpdir(), 'compiled-'));
const sourceFile = join(manifests, 'source.yaml');
writeFileSync(
  sourceFile,
  `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: compiled }
spec: { provider: synthetic, symbols: [BTC, ETH], interval: 1s }
`,
);
const modelFile = join(manifests, 'model.yaml');
writeFileSync(
  modelFile,
  `apiVersion: cryptoviz.dev/v1alpha1
kind: PredictionModel
metadata: { name: compiled-naive }
spec: { algorithm: naive, symbols: [BTC], sources: [compiled], interval: 1m, horizons: [1m] }
`,
);

describe('the compiled platform (node dist/cryptoviz.js <role>)', () => {
  let entry: string;
  let bus: TestBus;
  let db: TestDatabase;
  beforeAll(async () => {
    [entry, bus, db] = await Promise.all([
      ensureCompiledPlatform(() => undefined),
      createTestBus(),
      createTestDatabase(),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([bus?.drop(), db?.drop()]);
  });

  /** Starts a role on plain node, waits for /readyz, then stops it with SIGTERM. */
  async function runUntilReady(
    role: string,
    env: Record<string, string>,
    whileReady: () => Promise<void> = async () => undefined,
  ): Promise<{ code: number | null; output: string }> {
    const probePort = await freePort();
    const { child, output, exited } = spawnWatched(process.execPath, [entry, role], {
      env: {
        ...process.env,
        NATS_URL: bus.url,
        CRYPTOVIZ_NAMESPACE: bus.topo.namespace,
        HTTP_PORT: String(probePort),
        HTTP_HOST: '127.0.0.1',
        ...env,
      },
    });
    try {
      await eventually(
        () =>
          fetch(`http://127.0.0.1:${probePort}/readyz`).then(
            (r) => r.status,
            () => 0,
          ),
        (status) => status === 200 || child.exitCode !== null,
        { timeoutMs: 60_000 },
      );
      expect(child.exitCode, output()).toBeNull();
      await whileReady();
    } finally {
      child.kill('SIGTERM');
    }
    return { code: await exited, output: output() };
  }

  it('runs the writer and a fetcher, which store what the fetcher polls', async () => {
    const writer = runUntilReady('writer', { DATABASE_URL: db.url }, async () => {
      const fetcher = await runUntilReady('fetcher', { SOURCE_FILE: sourceFile }, async () => {
        expect(await storedPairs(db.pool, 2)).toEqual([
          'default/compiled/BTC',
          'default/compiled/ETH',
        ]);
      });
      expect(fetcher.code, fetcher.output).toBe(0);
    });
    const { code, output } = await writer;
    expect(code, output).toBe(0);
    expect(output).toContain('writer started');
  }, 120_000);

  it('runs a predictor', async () => {
    const { code, output } = await runUntilReady('predictor', {
      DATABASE_URL: db.url,
      MODEL_FILE: modelFile,
    });
    expect(code, output).toBe(0);
  }, 90_000);

  it('runs the gateway and the dashboard, the dashboard serving its build', async () => {
    const gatewayPort = await freePort();
    const gateway = runUntilReady(
      'gateway',
      {
        DATABASE_URL: db.url,
        GATEWAY_PORT: String(gatewayPort),
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_MANIFESTS: manifests,
        GATEWAY_TOKEN: 'compiled-test-token-0123456789',
      },
      async () => {
        const webPort = await freePort();
        const web = await runUntilReady(
          'web',
          {
            WEB_PORT: String(webPort),
            WEB_HOST: '127.0.0.1',
            GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
            WEB_BUILD_DIR: DEFAULT_BUILD_DIR,
          },
          async () => {
            const page = await fetch(`http://127.0.0.1:${webPort}/`).then((r) => r.text());
            expect(page).toContain('<title>CryptoViz</title>');
            const latest = await fetch(`http://127.0.0.1:${webPort}/trpc/markets.latest`);
            expect(latest.status).toBe(200);
          },
        );
        expect(web.code, web.output).toBe(0);
      },
    );
    const { code, output } = await gateway;
    expect(code, output).toBe(0);
  }, 120_000);

  describe('with a Kubernetes API server', () => {
    let plane: ControlPlane;
    beforeAll(async () => {
      plane = await startControlPlane();
    }, 600_000);
    afterAll(async () => {
      await plane?.stop();
    });

    it('runs the controller', async () => {
      const { code, output } = await runUntilReady('controller', {
        KUBECONFIG: plane.kubeconfigPath,
        CONTROLLER_RESYNC_S: '5',
      });
      expect(code, output).toBe(0);
    }, 120_000);
  });

  it('hands any other argument to the CLI: migrate, from the bundled migrations', async () => {
    const fresh = await createTestDatabase('postgresql', { migrated: false });
    try {
      const result = spawnSync(process.execPath, [entry, 'migrate'], {
        env: { ...process.env, DATABASE_URL: fresh.url },
        encoding: 'utf8',
      });
      expect(result.status, result.stderr).toBe(0);
      const { rows } = await fresh.pool.query<{ ticks: string | null }>(
        "SELECT to_regclass('ticks')::text AS ticks",
      );
      expect(rows).toEqual([{ ticks: 'ticks' }]);
    } finally {
      await fresh.drop();
    }
  }, 60_000);
});
