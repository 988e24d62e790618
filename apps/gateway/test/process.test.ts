import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestBus,
  createTestDatabase,
  eventually,
  type TestBus,
  type TestDatabase,
} from '@cryptoviz/testkit';
import { rawExchange } from '@cryptoviz/testkit/http-abuse';
import { spawnWatched } from '@cryptoviz/testkit/process';
import { rawMutation, TOKEN } from './support.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('gateway process', () => {
  let db: TestDatabase;
  let bus: TestBus;
  beforeAll(async () => {
    db = await createTestDatabase();
    bus = await createTestBus();
  });
  afterAll(async () => {
    await bus.drop();
    await db.drop();
  });

  it('runs from main.ts, logs requests without the token, and stops on SIGTERM', async () => {
    const { child, output, exited } = spawnWatched(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        ...process.env,
        NATS_URL: bus.url,
        CRYPTOVIZ_NAMESPACE: bus.topo.namespace,
        DATABASE_URL: db.url,
        HTTP_PORT: '0',
        GATEWAY_PORT: '0',
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_TOKEN: TOKEN,
        GATEWAY_MANIFESTS: mkdtempSync(join(tmpdir(), 'gateway-process-')),
        LOG_LEVEL: 'debug',
      },
    });
    try {
      const port = await eventually(
        async () => /"port":(\d+)/.exec(output())?.[1],
        (found) => found !== undefined,
        // Starting Node with TypeScript takes seconds; on a loaded 2-core machine, many more.
        { timeoutMs: 60_000 },
      );
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/trpc/markets.latest`)).status).toBe(200);
      // Requests that once ended the process (a URIError in routing, a TRACE) get answers.
      for (const [method, target, status] of [
        ['GET', '/trpc/%', 400],
        ['TRACE', '/trpc/markets.latest', 405],
      ] as const) {
        const raw = `${method} ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`;
        expect((await rawExchange(Number(port), raw)).status, target).toBe(status);
      }
      expect(child.exitCode).toBeNull();
      expect((await fetch(`${url}/trpc/markets.latest`)).status).toBe(200);
      const created = await rawMutation(
        url,
        'resources.create',
        {
          manifest: {
            kind: 'CryptoSource',
            metadata: { name: 'from-process' },
            spec: { provider: 'synthetic', symbols: ['BTC'] },
          },
        },
        TOKEN,
      );
      expect(created.status).toBe(200);
      expect((await rawMutation(url, 'resources.delete', {}, 'wrong-token-xxxxxxxxx')).status).toBe(
        403,
      );
      await eventually(
        async () => output(),
        (text) => text.includes('resource created') && text.includes('"status":403'),
      );
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output()).toContain('"procedure":"resources.create"');
    expect(output()).not.toContain(TOKEN);
    expect(output()).not.toContain('wrong-token');
    expect(output()).not.toMatch(/authorization|Bearer \S/i);
  }, 90_000);

  it('refuses to start on a bad setting, naming it (exit code 2)', async () => {
    const { stderr, exited } = spawnWatched(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...process.env, DATABASE_URL: db.url, GATEWAY_TOKEN: 'short' },
    });
    expect(await exited).toBe(2);
    expect(stderr()).toContain('GATEWAY_TOKEN');
    expect(stderr()).not.toContain('short');
  });
});
