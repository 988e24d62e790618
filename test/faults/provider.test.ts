// Fault suite, provider: a fetcher process against a provider answering 401, 429 with
// Retry-After, 5xx, garbage and slowloris in turn. libs/market/test/providers/resilience.test.ts
// proves each classification on the provider alone, in-process; here a real fetcher process
// must outlive every fault, say in its heartbeat what went wrong, and publish every tick the
// provider served, once.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeTicks, readHeartbeat, openHeartbeats, type HeartbeatOf } from '@cryptoviz/bus';
import { createTestBus, eventually, type TestBus } from '@cryptoviz/testkit';
import {
  FixtureServer,
  htmlErrorPage,
  rateLimited,
  type ScriptedResponse,
} from '../../libs/market/test/fixture-server.ts';

const require = createRequire(import.meta.url);
const fetcherMain = require.resolve('@cryptoviz/fetcher/main');
const tsx = pathToFileURL(require.resolve('tsx')).href;
const TICKER = '/api/v3/ticker/24hr';
// The provider's own timeout (HTTP_DEFAULTS) is 10 s, tried three times: a slowloris costs 30 s.
const SLOWLORIS_ATTEMPTS = 3;

/** A Binance 24h ticker answer with one tick for BNB/BTC, closed at `closeTime`. */
const tickerAt = (closeTime: number, price: number): ScriptedResponse => ({
  json: [
    {
      symbol: 'BNBBTC',
      priceChangePercent: '1.5',
      lastPrice: String(price),
      quoteVolume: '1000',
      closeTime,
    },
  ],
});

const FAULTS: {
  name: string;
  answers: ScriptedResponse[];
  kind: string;
  message: RegExp;
}[] = [
  {
    name: '401',
    answers: [{ status: 401, json: { code: -2015, msg: 'Invalid API-key, IP, or permissions' } }],
    kind: 'auth',
    message: /Invalid API-key/,
  },
  { name: '429', answers: [rateLimited(1)], kind: 'rate-limited', message: /429|rate/i },
  // Retried twice by the provider: three answers make one failed poll.
  { name: '5xx', answers: Array(3).fill(htmlErrorPage(503)), kind: 'transient', message: /503/ },
  { name: 'garbage', answers: [{ body: '{"a":' }], kind: 'malformed', message: /JSON/ },
  {
    name: 'slowloris',
    answers: Array(SLOWLORIS_ATTEMPTS).fill({ trickleHeadersMs: 500 }),
    kind: 'transient',
    message: /timed out/,
  },
];

describe('provider faults against a fetcher process', { timeout: 360_000 }, () => {
  let bus: TestBus;
  let server: FixtureServer;
  let fetcher: ChildProcess | undefined;
  beforeEach(async () => {
    [bus, server] = await Promise.all([createTestBus(), FixtureServer.start()]);
  });
  afterEach(async () => {
    fetcher?.kill('SIGKILL');
    await server.close();
    await bus.drop();
  });

  it('outlives 401, 429, 5xx, garbage and slowloris, names each in its heartbeat, and publishes every served tick once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provider-faults-'));
    const manifest = join(dir, 'source.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        apiVersion: 'cryptoviz.dev/v1alpha1',
        kind: 'CryptoSource',
        metadata: { name: 'faulty' },
        spec: {
          provider: 'binance',
          symbols: ['BNB'],
          quote: 'BTC',
          interval: '1s',
          endpoint: server.url,
        },
      }),
    );
    // A gap filled after recovery finds no candles: what is counted is what the ticker served.
    server.on('/api/v3/klines', { json: [] });
    const start = Date.now() - 3_600_000;
    const served = Array.from({ length: FAULTS.length + 1 }, (_, i) => start + i * 60_000);
    server.on(TICKER, tickerAt(served[0]!, 100));
    fetcher = spawn(process.execPath, ['--import', tsx, fetcherMain], {
      env: {
        ...process.env,
        NATS_URL: bus.url,
        CRYPTOVIZ_NAMESPACE: bus.topo.namespace,
        SOURCE_FILE: manifest,
        WORKER_ID: 'fetcher-faulty-0',
        HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    const kv = await openHeartbeats(bus.js, bus.topo);
    // By its key: listing the bucket takes a consumer per look, hundreds of them in this test.
    const beat = () => readHeartbeat(kv, { role: 'fetcher', id: 'fetcher-faulty-0' });
    const published = (b: HeartbeatOf<'fetcher'> | undefined) => b?.counters.ticksPublished ?? 0;
    await eventually(beat, (b) => published(b) === 1, { timeoutMs: 60_000 });

    for (const [i, fault] of FAULTS.entries()) {
      // The fault, then the provider is well again with the next tick.
      server.on(TICKER, ...fault.answers, tickerAt(served[i + 1]!, 101 + i));
      const after = await eventually(
        beat,
        (b) => published(b) === i + 2 && b?.details.lastErrorKind === fault.kind,
        { timeoutMs: 50_000 },
      );
      expect(after!.details.lastErrorMessage, fault.name).toMatch(fault.message);
      expect(after!.counters.consecutiveFailures, fault.name).toBe(0);
    }
    expect(fetcher.exitCode).toBeNull();
    expect(fetcher.signalCode).toBeNull();

    const { state } = await bus.jsm.streams.info(bus.topo.streams.ticks);
    const times: number[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const msg = await bus.jsm.streams.getMessage(bus.topo.streams.ticks, { seq });
      times.push(
        ...decodeTicks(bus.topo, msg!.subject, msg!.data).ticks.map((t) => Date.parse(t.time)),
      );
    }
    expect(times).toEqual(served);
  });
});
