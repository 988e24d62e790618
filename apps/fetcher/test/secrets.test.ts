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
import { spawnWatched } from '@cryptoviz/testkit/process';
import { secretLeaks, streamTexts } from '@cryptoviz/testkit/secret-leaks';

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
      } else if (calls === 4) {
        // Not JSON, with the key across the cut of the error's excerpt.
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`${'x'.repeat(35)}${sent}`);
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
    const { child, output, exited } = spawnWatched(
      process.execPath,
      ['--import', tsx, fetcherMain],
      {
        stdin: 'pipe',
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
      },
    );
    try {
      const seen: string[] = [];
      const kv = await openHeartbeats(jetstream(bus.nc), bus.topo);
      const [beat] = await eventually(
        () => listHeartbeats(kv, 'fetcher'),
        (beats) => (beats[0]?.counters.ticksPublished ?? 0) >= 1,
        // Starting Node with TypeScript takes seconds; on a loaded 2-core machine, many more
        // (the whole test usually takes 21 s; once, in a full run, it outlasted 90 s).
        { timeoutMs: 100_000 },
      );
      seen.push(JSON.stringify(beat));
      // The failures happened, were classified, and are on record without the key; the
      // summary (what public outputs show) without the provider's words either.
      expect(beat!.details).toMatchObject({ lastErrorKind: 'malformed' });
      expect(beat!.details.lastErrorSummary).toBe(
        'coingecko GET /simple/price: answered 200 with a body that is not JSON',
      );
      // Scrubbed, then cut: what is left of the key is the start of the marker.
      expect(beat!.details.lastErrorMessage).toBe(
        `${String(beat!.details.lastErrorSummary)}: invalid JSON (starts "${'x'.repeat(35)}[reda")`,
      );

      const probePort = /"probePort":(\d+)/.exec(output())?.[1];
      expect(probePort).toBeDefined();
      seen.push(await (await fetch(`http://127.0.0.1:${probePort}/metrics`)).text());

      seen.push(...(await streamTexts(bus.jsm, bus.topo.streams.dlq)));
      child.kill('SIGTERM');
      await exited;
      seen.push(output());

      expect(calls).toBeGreaterThan(4);
      expect(output()).toMatch(/poll failed/);
      expect(output()).toMatch(/Invalid key \[redacted\]/);
      for (const text of seen) expect(secretLeaks(text, KEY)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      provider.closeAllConnections();
      provider.close();
    }
  }, 150_000);
});
