import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listHeartbeats, openHeartbeats } from '@cryptoviz/bus';
import { latestTicks } from '@cryptoviz/store';
import {
  createTestBus,
  createTestDatabase,
  eventually,
  type TestBus,
  type TestDatabase,
} from '@cryptoviz/testkit';
import { secretLeaks, streamTexts } from '@cryptoviz/testkit/secret-leaks';
import { startUp } from './run-up.ts';
import { FixtureServer, htmlErrorPage } from '../../../libs/market/test/fixture-server.ts';

/** The canaries: a provider key and a gateway token no output may carry, whole or in part. */
const KEY = 'CG-q7Zp/Xw+9f8e7d6c5b4aKv=';
const TOKEN = 'tkn-Vq8Rz2Lm5Wx9Jd3Hs6Fy';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const PRICE = '/simple/price';

/** Every file under a folder, as text (logs, plans, manifests the workers were given). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => `${path}\n${readFileSync(path, 'utf8')}`);
}

/** A tRPC call as a client makes it, with or without the token; the answer's text whatever its status. */
async function call(
  base: string,
  procedure: string,
  { token, body }: { token?: string; body?: unknown } = {},
): Promise<string> {
  const response = await fetch(`${base}/trpc/${procedure}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return `${procedure} ${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`;
}

/** The first event of a live subscription (SSE), then the connection is dropped. */
async function firstEvent(base: string, procedure: string, token?: string): Promise<string> {
  const abort = new AbortController();
  const giveUp = setTimeout(() => abort.abort(), 20_000);
  let text = '';
  try {
    const response = await fetch(`${base}/trpc/${procedure}`, {
      headers: {
        accept: 'text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      signal: abort.signal,
    });
    text = `${response.status} `;
    const reader = response.body!.getReader();
    while (!/\ndata: /.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
  } finally {
    clearTimeout(giveUp);
    abort.abort();
  }
  return `${procedure} ${text}`;
}

describe('secret canaries through the whole platform', () => {
  let bus: TestBus;
  let db: TestDatabase;
  let provider: FixtureServer;
  let running: ChildProcess | undefined;
  beforeEach(async () => {
    [bus, db, provider] = await Promise.all([
      createTestBus(),
      createTestDatabase(),
      FixtureServer.start(),
    ]);
  });
  afterEach(async () => {
    if (running && running.exitCode === null && running.signalCode === null) {
      running.kill('SIGKILL');
    }
    running = undefined;
    await Promise.all([bus.drop(), db.drop(), provider.close()]);
  });

  it('no log, heartbeat, stream message, status, API answer or table holds the API key or the gateway token', async () => {
    // The worst provider: it echoes the key it was sent, whole, encoded and across the cut
    // of an error's excerpt, in errors, HTML pages, non-JSON bodies and prices; then it
    // answers properly, so ticks flow and every store gets something to hold.
    const good = { fixture: 'coingecko/simple-price--oas-demo.json' };
    const echoAll = `${KEY} ${encodeURIComponent(KEY)} ${b64(KEY)}`;
    provider
      .on(
        PRICE,
        { status: 500, body: `upstream refused ${echoAll}` },
        { status: 500, body: `upstream refused ${echoAll}` },
        { status: 500, body: `upstream refused ${echoAll}` },
        good,
        {
          status: 401,
          json: { status: { error_code: 10002, error_message: `Bad key ${echoAll}` } },
        },
        good,
        htmlErrorPage(200, `Bad key ${KEY}`),
        good,
        { json: { bitcoin: { usd: `price for ${KEY}`, last_updated_at: KEY } } },
        good,
        { status: 200, body: `${'x'.repeat(35)}${KEY} and no JSON` },
        good,
      )
      .on('/coins/bitcoin/market_chart', {
        status: 401,
        json: { error: `key ${echoAll} is not allowed to read history` },
      });

    const manifests = mkdtempSync(join(tmpdir(), 'manifests-'));
    writeFileSync(
      join(manifests, 'canary.yaml'),
      `apiVersion: v1
kind: Secret
metadata: { name: coingecko }
stringData: { apiKey: ${JSON.stringify(KEY)} }
---
apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: cg }
spec:
  provider: coingecko
  symbols: [BTC]
  interval: 1s
  endpoint: ${provider.url}
  apiKeySecretRef: { name: coingecko, key: apiKey }
`,
    );
    const up = await startUp({
      manifests,
      bus,
      db,
      env: { GATEWAY_TOKEN: TOKEN },
      args: ['--log-level', 'trace'],
      onSpawn: (child) => (running = child),
    });
    await up.ready();
    // The provider's script played out to its last (good) answer, and ticks were stored.
    await eventually(
      async () => provider.requestsTo(PRICE).length,
      (count) => count >= 13,
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    await eventually(
      () => latestTicks(db.pool),
      (ticks) => ticks.some((tick) => tick.source === 'default/cg'),
      { timeoutMs: 30_000 },
    );
    // The key was really in use: each request carried it.
    expect(provider.requestsTo(PRICE).every((r) => r.headers['x-cg-demo-api-key'] === KEY)).toBe(
      true,
    );

    const gateway = `http://127.0.0.1:${up.gatewayPort}`;
    const web = `http://127.0.0.1:${up.webPort}`;
    // Wait until an error that echoed the key is on record (scrubbed) for the token holder.
    const health = await eventually(
      // The gateway may still be starting when `up` says it is up.
      () => call(gateway, 'health.pipeline', { token: TOKEN }).catch(() => ''),
      (text) => text.includes('"detail":') && text.includes('[redacted]'),
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    const seen: string[] = [health];
    for (const base of [gateway, web]) {
      for (const token of [undefined, TOKEN, `${TOKEN}-wrong`]) {
        for (const procedure of ['health.pipeline', 'resources.list', 'markets.latest']) {
          seen.push(await call(base, procedure, token ? { token } : {}));
        }
        seen.push(
          await call(base, 'resources.delete', {
            ...(token ? { token } : {}),
            body: { kind: 'CryptoSource', name: 'no-such-source' },
          }),
          await firstEvent(base, 'live.health', token),
        );
      }
    }
    // The public sees that the provider failed and how, not what it wrote.
    const publicHealth = await call(gateway, 'health.pipeline');
    expect(publicHealth).toMatch(/"lastError":\{"kind":"\w+","message":"coingecko GET [^"]+"\}/);
    expect(publicHealth).not.toContain('"detail"');
    expect(publicHealth).not.toContain('[redacted]');

    const kv = await openHeartbeats(bus.js, bus.topo);
    seen.push(JSON.stringify(await listHeartbeats(kv)));
    for (const stream of Object.values(bus.topo.streams)) {
      seen.push(...(await streamTexts(bus.jsm, stream)));
    }
    const tables = await db.pool.query<{ name: string }>(
      `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
       WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
         AND table_schema NOT LIKE '%timescaledb%'`,
    );
    expect(tables.rows.length).toBeGreaterThan(0);
    for (const { name } of tables.rows) {
      const rows = await db.pool.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
      seen.push(`${name}: ${rows.rows.map((r) => r.row).join('\n')}`);
    }
    for (const port of new Set(up.output().match(/(?<=http:\/\/127\.0\.0\.1:)\d+(?=\s)/g) ?? [])) {
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
      if (metrics) seen.push(await metrics.text());
    }

    up.child.kill('SIGTERM');
    expect(await up.exited).toBe(0);
    // Logs (with what the workers said while stopping), plans and manifests given to workers.
    seen.push(up.output(), ...filesUnder(up.stateDir));
    // The run produced what a key could hide in: failures, scrubbed echoes, dead letters.
    const everything = seen.join('\n');
    expect(everything).toMatch(/poll failed/);
    expect(everything).toContain('[redacted]');
    expect(everything).toContain('dlq.fetcher');

    for (const secret of [KEY, TOKEN]) {
      const leaks = seen
        .map((text) => ({ where: text.slice(0, 80), pieces: secretLeaks(text, secret) }))
        .filter((leak) => leak.pieces.length > 0);
      expect(leaks).toEqual([]);
    }
  }, 420_000);
});
