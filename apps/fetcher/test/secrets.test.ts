import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { listHeartbeats, openHeartbeats } from '@cryptoviz/bus';
import { createTestBus, eventually, type TestBus } from '@cryptoviz/testkit';

const require = createRequire(import.meta.url);
const fetcherMain = require.resolve('@cryptoviz/fetcher/main');
const tsx = pathToFileURL(require.resolve('tsx')).href;
const KEY = 'CG-live-9f8e7d6c5b4a';
const simplePrice = readFileSync(
  new URL(
    '../../../libs/market/test/fixtures/coingecko/simple-price--oas-demo.json',
    import.meta.url,
  ),
  'utf8',
);

describe('a fetcher process with an API key', () => {
  let bus: TestBus;
  beforeEach(async () => {
    bus = await createTestBus();
  });
  afterEach(async () => {
    await bus.drop();
  });

  it('never lets the key reach its logs, errors, status, heartbeats, DLQ or metrics', async () => {
    // The worst provider: it reflects the key it was sent into its error messages.
    let calls = 0;
    const provider = createServer((req, res) => {
      calls++;
      const sent = String(req.headers['x-cg-demo-api-key'] ?? '');
      if (calls <= 3) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ status: { error_code: 10002, error_message: `Invalid key ${sent}` } }),
        );
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(simplePrice);
      }
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
    const manifest = join(mkdtempSync(join(tmpdir(), 'secret-')), 'source.yaml');
    writeFileSync(
      manifest,
      `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: cg }
spec:
  provider: coingecko
  symbols: [BTC]
  interval: 1s
  endpoint: ${endpoint}
  apiKeySecretRef: { name: coingecko, key: apiKey }
`,
    );
    const child = spawn(process.execPath, ['--import', tsx, fetcherMain], {
      env: {
        ...process.env,
        NATS_URL: bus.url,
        CRYPTOVIZ_NAMESPACE: bus.topo.namespace,
        SOURCE_FILE: manifest,
        CRYPTOVIZ_API_KEY: KEY,
        WORKER_ID: 'fetcher-cg-0',
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        LOG_LEVEL: 'trace',
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const seen: string[] = [];
      const kv = await openHeartbeats(jetstream(bus.nc), bus.topo);
      const [beat] = await eventually(
        () => listHeartbeats(kv),
        (beats) => (beats[0]?.counters.ticksPublished ?? 0) >= 1,
        // Starting Node with TypeScript takes seconds; on a loaded 2-core machine, many more.
        { timeoutMs: 60_000 },
      );
      seen.push(JSON.stringify(beat));
      // The failures happened, were classified, and are on record without the key.
      expect(beat!.details).toMatchObject({ lastErrorKind: 'auth' });
      expect(String(beat!.details.lastErrorMessage)).toContain('[redacted]');

      const probePort = /"probePort":(\d+)/.exec(output)?.[1];
      expect(probePort).toBeDefined();
      seen.push(await (await fetch(`http://127.0.0.1:${probePort}/metrics`)).text());

      const dlq = await bus.jsm.streams.info(bus.topo.streams.dlq);
      for (let seq = dlq.state.first_seq; seq <= dlq.state.last_seq && dlq.state.messages; seq++) {
        const msg = await bus.jsm.streams.getMessage(bus.topo.streams.dlq, { seq });
        if (msg) seen.push(msg.string(), JSON.stringify([...(msg.header ?? [])]));
      }
      const exit = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exit;
      seen.push(output);

      expect(calls).toBeGreaterThan(3);
      expect(output).toMatch(/poll failed/);
      for (const text of seen) expect(text).not.toContain(KEY);
    } finally {
      child.kill('SIGKILL');
      provider.closeAllConnections();
      provider.close();
    }
  }, 90_000);
});
