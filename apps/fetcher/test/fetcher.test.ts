import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeTicks, DLQ_HEADERS, listHeartbeats, openHeartbeats } from '@cryptoviz/bus';
import { ProviderError, type TickProvider } from '@cryptoviz/market';
import { cryptoSourceSpecSchema, type CryptoSourceSpecInput } from '@cryptoviz/resources';
import { createLogger, createRegistry, startService } from '@cryptoviz/runtime';
import {
  connectThroughOutageProxy,
  createTestBus,
  eventually,
  sampleTicks,
  type TestBus,
} from '@cryptoviz/testkit';
import { shardSymbols } from '@cryptoviz/workloads';
// The provider stand-in: real sockets replaying recorded payloads (libs/market's test server).
import { FixtureServer, readFixture } from '../../../libs/market/test/fixture-server.ts';
import { fetcherService, startFetcher, type FetcherOptions } from '../src/index.ts';

const log = createLogger('fetcher-test', 'silent');

async function streamMessages(bus: TestBus, stream: string, count: number) {
  const consumer = await bus.js.consumers.get(stream);
  const messages = [];
  for await (const msg of await consumer.fetch({ max_messages: count, expires: 3_000 })) {
    messages.push(msg);
    if (messages.length === count) break;
  }
  return messages;
}

describe('fetcher', () => {
  let bus: TestBus;
  beforeEach(async () => {
    bus = await createTestBus();
  });
  afterEach(async () => {
    await bus.drop();
  });

  /** A fetcher of one shard on the test's bus; `extra` adds a provider, a key, another nc… */
  const fetcherFor = (
    source: string,
    spec: CryptoSourceSpecInput,
    extra: Partial<FetcherOptions> = {},
  ) =>
    startFetcher({
      nc: bus.nc,
      topo: bus.topo,
      log,
      registry: createRegistry('fetcher'),
      source: `default/${source}`,
      spec: cryptoSourceSpecSchema.parse(spec),
      shard: { index: 0, count: 1 },
      ...extra,
    });

  it('splits symbols evenly over shards', () => {
    const symbols = ['A', 'B', 'C', 'D', 'E'];
    expect([0, 1].map((i) => shardSymbols(symbols, i, 2))).toEqual([
      ['A', 'C', 'E'],
      ['B', 'D'],
    ]);
  });

  it('runs as a service from a manifest: publishes ticks with their identity and beats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fetcher-'));
    const manifest = join(dir, 'source.yaml');
    writeFileSync(
      manifest,
      `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: sim }
spec:
  provider: synthetic
  symbols: [BTC, ETH, SOL]
  interval: 1s
  synthetic: { seed: 5, start: "${new Date(Date.now() - 4_000).toISOString()}" }
`,
    );
    const service = await startService(fetcherService, {
      NATS_URL: bus.url,
      CRYPTOVIZ_NAMESPACE: bus.topo.namespace,
      SOURCE_FILE: manifest,
      SHARD: '1/2',
      WORKER_ID: 'fetcher-sim-1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    try {
      const messages = await streamMessages(bus, bus.topo.streams.ticks, 4);
      // Shard 1 of 2 carries only ETH. The first poll catches up the seconds since `start`
      // in one message of several ticks; later ones bring one tick each.
      const held = messages.map((msg) => decodeTicks(bus.topo, msg.subject, msg.data));
      expect(held[0]!.ticks.length).toBeGreaterThan(1);
      expect(held.at(-1)!.ticks).toHaveLength(1);
      for (const [i, msg] of messages.entries()) {
        const { ticks, problems } = held[i]!;
        expect(problems).toEqual([]);
        expect(msg.subject).toBe(
          bus.topo.tickSubject({ namespace: 'default', name: 'sim' }, 'ETH'),
        );
        const [first, last] = [ticks[0]!, ticks.at(-1)!];
        expect(msg.headers?.get('Nats-Msg-Id')).toBe(
          ticks.length === 1
            ? `default/sim:ETH:${first.time}`
            : `default/sim:ETH:${first.time}/${last.time}/${ticks.length}`,
        );
      }
      const kv = await openHeartbeats(jetstream(bus.nc), bus.topo);
      const [beat] = await eventually(
        () => listHeartbeats(kv, 'fetcher'),
        (beats) => beats.length === 1 && beats[0]!.counters.ticksPublished >= 4,
      );
      expect(beat).toMatchObject({ id: 'fetcher-sim-1', role: 'fetcher', resource: 'default/sim' });
      expect(beat!.details).toMatchObject({ symbols: ['ETH'], lastErrorKind: null });
    } finally {
      await service.stop();
    }
  });

  it('replays only files inside CRYPTOVIZ_DATA_DIR; a symlink out fails without quoting the file', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fetcher-data-'));
    const outside = mkdtempSync(join(tmpdir(), 'fetcher-outside-'));
    writeFileSync(join(outside, 'secret.csv'), 'token=hunter2-not-for-logs\n');
    mkdirSync(join(dataDir, 'market'));
    writeFileSync(
      join(dataDir, 'market/btc.csv'),
      'time,open,high,low,close,volume\n2020-01-01T00:00:00Z,1,1,1,100,1\n',
    );
    symlinkSync(join(outside, 'secret.csv'), join(dataDir, 'market/eth.csv'));
    const manifest = (name: string, symbol: string, file: string) => {
      const path = join(dataDir, `${name}.yaml`);
      writeFileSync(
        path,
        `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: ${name} }
spec:
  provider: replay
  symbols: [${symbol}]
  interval: 1s
  replay: { data: { ${symbol}: "${file}" } }
`,
      );
      return path;
    };
    const env = (name: string, file: string) => ({
      NATS_URL: bus.url,
      CRYPTOVIZ_NAMESPACE: bus.topo.namespace,
      CRYPTOVIZ_DATA_DIR: dataDir,
      SOURCE_FILE: file,
      WORKER_ID: `fetcher-${name}`,
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    // An absolute path never gets as far as a provider: the manifest itself is refused.
    await expect(
      startService(fetcherService, env('abs', manifest('abs', 'BTC', '/etc/passwd'))),
    ).rejects.toThrow(/replay\.data\.BTC: must be a path inside the data directory/);
    const good = await startService(
      fetcherService,
      env('good', manifest('good', 'BTC', 'market/btc.csv')),
    );
    const leak = await startService(
      fetcherService,
      env('leak', manifest('leak', 'ETH', 'market/eth.csv')),
    );
    try {
      const [message] = await streamMessages(bus, bus.topo.streams.ticks, 1);
      expect(message!.subject).toBe(
        bus.topo.tickSubject({ namespace: 'default', name: 'good' }, 'BTC'),
      );
      const kv = await openHeartbeats(jetstream(bus.nc), bus.topo);
      const beats = await eventually(
        () => listHeartbeats(kv, 'fetcher'),
        (all) =>
          all.some((b) => b.resource === 'default/leak' && b.details.lastErrorKind === 'config'),
      );
      const beat = beats.find((b) => b.resource === 'default/leak')!;
      expect(beat.details.lastErrorMessage).toBe(
        'replay.data.ETH "market/eth.csv": leads out of the data directory (through a symlink)',
      );
      expect(JSON.stringify(beats)).not.toContain('hunter2');
    } finally {
      await Promise.all([good.stop(), leak.stop()]);
    }
  });

  it('keeps ticks whose optional fields are bad: counted per provider and field, logged once', async () => {
    const server = await FixtureServer.start();
    // A real ticker with what older or odder versions send: a nested value, a null.
    const [entry] = JSON.parse(readFixture('binance/ticker-24hr-array--docs-2026.json')) as [
      Record<string, unknown>,
    ];
    server.on('/api/v3/ticker/24hr', {
      json: [{ ...entry, quoteVolume: { value: entry.quoteVolume }, priceChangePercent: null }],
    });
    const testLog = createLogger('fetcher-test', 'silent');
    const warn = vi.spyOn(testLog, 'warn');
    const registry = createRegistry('fetcher');
    const fetcher = fetcherFor(
      'odd',
      { provider: 'binance', symbols: ['BNB'], quote: 'BTC', interval: '1s', endpoint: server.url },
      { log: testLog, registry },
    );
    try {
      await eventually(
        async () => fetcher.status(),
        (s) => (s.ignoredFields.quoteVolume ?? 0) >= 3 && s.ticksPublished === 1,
      );
    } finally {
      await fetcher.stop();
      await server.close();
    }
    const { ignoredFields, skipped } = fetcher.status();
    expect(skipped).toBe(0);
    // A null is "not known", not a fault: only the nested volume counts.
    expect(Object.keys(ignoredFields)).toEqual(['quoteVolume']);
    const metric = await registry.getSingleMetricAsString('cryptoviz_fetcher_ignored_fields_total');
    expect(metric).toContain(
      `cryptoviz_fetcher_ignored_fields_total{source="default/odd",provider="binance",field="quoteVolume",service="fetcher"} ${ignoredFields.quoteVolume}`,
    );
    const lines = warn.mock.calls.filter(([, message]) => String(message).startsWith('ignored'));
    expect(lines).toEqual([
      [
        { source: 'default/odd', provider: 'binance', field: 'quoteVolume', count: 1 },
        'ignored an optional field of an unexpected type or value; the ticks were kept',
      ],
    ]);
  });

  it('dead-letters skipped ticks, records classified errors without the key, and keeps polling', async () => {
    const apiKey = 'sk-live-abcdef123456';
    let calls = 0;
    const provider: TickProvider = {
      async poll() {
        calls++;
        if (calls === 1) {
          throw new ProviderError('auth', `401 from https://api.example/?key=${apiKey}`);
        }
        return {
          ticks: sampleTicks(2, 'default/flaky'),
          skipped: [{ symbol: 'XYZ', reason: 'price is negative (-3)' }],
        };
      },
    };
    const fetcher = fetcherFor(
      'flaky',
      { provider: 'binance', symbols: ['BTC'], interval: '1s' },
      { apiKey, provider },
    );
    try {
      const failed = await eventually(
        async () => fetcher.status(),
        (s) => s.consecutiveFailures === 1,
      );
      expect(failed.lastErrorKind).toBe('auth');
      expect(failed.lastErrorMessage).toBe('401 from https://api.example/?key=[redacted]');
      const recovered = await eventually(
        async () => fetcher.status(),
        (s) => s.ticksPublished === 2 && s.skipped >= 1,
      );
      expect(recovered.consecutiveFailures).toBe(0);
      expect(recovered.lastSuccessAt).not.toBeNull();
      const [letter] = await streamMessages(bus, bus.topo.streams.dlq, 1);
      expect(letter!.subject).toBe(bus.topo.dlqSubject('fetcher'));
      expect(letter!.headers?.get(DLQ_HEADERS.reason)).toBe('price is negative (-3)');
      expect(letter!.json()).toEqual({ source: 'default/flaky', symbol: 'XYZ' });
    } finally {
      await fetcher.stop();
    }
  });

  it('stops at once when asked while it publishes, though its next poll is an hour away', async () => {
    let stopping: Promise<void> | undefined;
    const provider: TickProvider = {
      async poll() {
        // Asked to stop after the poll returns, while its ticks are being published.
        setImmediate(() => {
          stopping = fetcher.stop();
        });
        return { ticks: sampleTicks(50, 'default/hourly'), skipped: [] };
      },
    };
    const fetcher = fetcherFor(
      'hourly',
      { provider: 'binance', symbols: ['BTC'], interval: '1h' },
      { provider },
    );
    await eventually(
      async () => stopping !== undefined,
      (asked) => asked,
    );
    const outcome = await Promise.race([
      stopping!.then(() => 'stopped'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
    ]);
    expect(outcome).toBe('stopped');
    expect(fetcher.status()).toMatchObject({ polls: 1, ticksPublished: 50 });
  });

  it('holds the ticks it cannot publish while NATS is away, and sends them all when it is back', async () => {
    const { nc, proxy, close } = await connectThroughOutageProxy(bus.url);
    // One tick a poll, a minute of market time apart: which ones arrived is plain to see.
    const start = Date.parse('2024-05-01T00:00:00Z');
    let polls = 0;
    const provider: TickProvider = {
      async poll() {
        const time = new Date(start + polls++ * 60_000).toISOString();
        return { ticks: [{ ...sampleTicks(1, 'default/held')[0]!, time }], skipped: [] };
      },
    };
    const fetcher = fetcherFor(
      'held',
      { provider: 'binance', symbols: ['BTC'], interval: '1s' },
      { nc, provider, publish: { ackTimeoutMs: 300, attempts: 1 } },
    );
    try {
      await eventually(
        async () => fetcher.status().ticksPublished,
        (n) => n >= 2,
      );
      proxy.cut();
      const away = await eventually(
        async () => fetcher.status(),
        (s) => s.heldTicks >= 2,
      );
      expect(away.lastErrorMessage).toMatch(/not confirmed by JetStream/);
      proxy.restore();
      await eventually(
        async () => fetcher.status(),
        (s) => s.heldTicks === 0 && s.consecutiveFailures === 0,
      );
    } finally {
      await fetcher.stop();
      await close();
    }
    // Every polled tick is in the stream, the held ones included, each time once.
    const { state } = await bus.jsm.streams.info(bus.topo.streams.ticks);
    const times = (await streamMessages(bus, bus.topo.streams.ticks, state.messages)).flatMap(
      (msg) => decodeTicks(bus.topo, msg.subject, msg.data).ticks.map((t) => t.time),
    );
    const polled = Array.from({ length: polls }, (_, i) =>
      new Date(start + i * 60_000).toISOString(),
    );
    expect([...new Set(times)].sort()).toEqual(polled);
    expect(fetcher.status().droppedTicks).toBe(0);
    // Resent as the same messages: what landed before the cut is a duplicate, not news.
    expect(fetcher.status().ticksPublished).toBe(polls);
    expect(new Set(times).size).toBe(times.length);
  }, 60_000);

  it('reports a failed backfill as its last error without counting the source as failing', async () => {
    const provider: TickProvider = {
      async poll() {
        return { ticks: sampleTicks(1, 'default/nohistory'), skipped: [] };
      },
      async backfill() {
        throw new ProviderError('rate-limited', 'HTTP 429 on klines');
      },
    };
    const fetcher = fetcherFor(
      'nohistory',
      {
        provider: 'binance',
        symbols: ['BTC'],
        interval: '1s',
        backfillHours: 24,
      },
      { provider },
    );
    try {
      const status = await eventually(
        async () => fetcher.status(),
        (s) => s.polls >= 2,
      );
      expect(status).toMatchObject({
        consecutiveFailures: 0,
        backfills: 0,
        lastErrorKind: 'rate-limited',
        lastErrorMessage: 'HTTP 429 on klines',
      });
    } finally {
      await fetcher.stop();
    }
  });

  it('backfills on a first start and fills the gap after an outage, reporting provider stats', async () => {
    const server = await FixtureServer.start();
    const ticker = { fixture: 'binance/ticker-24hr-array--docs-2026.json' };
    const down = { status: 503, body: 'upstream unavailable' };
    server
      .on('/api/v3/klines', { fixture: 'binance/klines--nautilus-trader-fixture-2021-10-22.json' })
      .on('/api/v3/ticker/24hr', ticker, down, down, down, ticker);
    const fetcher = fetcherFor('bnb', {
      provider: 'binance',
      symbols: ['BNB'],
      quote: 'BTC',
      interval: '1s',
      endpoint: server.url,
      backfillHours: 1,
    });
    try {
      const recovered = await eventually(
        async () => fetcher.status(),
        // Recovered, gap filled, and the poll that recovered published too.
        (s) => s.backfills === 2 && s.consecutiveFailures === 0 && s.duplicates >= 1,
        { timeoutMs: 30_000 },
      );
      // First start: 10 one-minute klines, then the ticker. After the outage the klines are
      // fetched again, but only candles newer than the newest tick published would be sent;
      // the recorded ticker, polled again, is recognized as the same tick.
      expect(recovered).toMatchObject({
        ticksPublished: 11,
        lastErrorKind: 'transient',
        newestTickTime: '2021-10-22T23:13:00.000Z',
      });
      expect(server.requestsTo('/api/v3/klines')).toHaveLength(2);
      expect(recovered.provider).toMatchObject({ provider: 'binance', consecutiveFailures: 0 });
      expect(recovered.provider!.requests).toBeGreaterThanOrEqual(6);
    } finally {
      await fetcher.stop();
      await server.close();
    }
  });

  it('resumes from what the stream holds: a restart fills the gap, and nothing is sent twice', async () => {
    const server = await FixtureServer.start();
    server
      .on('/api/v3/klines', { fixture: 'binance/klines--nautilus-trader-fixture-2021-10-22.json' })
      .on('/api/v3/ticker/24hr', { fixture: 'binance/ticker-24hr-array--docs-2026.json' });
    const spec: CryptoSourceSpecInput = {
      provider: 'binance',
      symbols: ['BNB'],
      quote: 'BTC',
      interval: '1h',
      endpoint: server.url,
      backfillHours: 1,
    };
    const start = () => fetcherFor('bnb', spec);
    try {
      const first = start();
      await eventually(
        async () => first.status(),
        (s) => s.polls === 1 && s.backfills === 1,
      );
      await first.stop();
      // The stream's last tick is years old (a recorded payload): a gap to fill on restart.
      const second = start();
      const status = await eventually(
        async () => second.status(),
        (s) => s.polls === 1,
      );
      await second.stop();
      expect(status.backfills).toBe(1);
      expect(server.requestsTo('/api/v3/klines')).toHaveLength(2);
      expect(status.ticksPublished).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('a symbol added to a source gets its history, and the others keep their past as it was', async () => {
    const spec = (symbols: string[]): CryptoSourceSpecInput => ({
      provider: 'synthetic',
      symbols,
      interval: '1s',
      backfillHours: 1,
      synthetic: { seed: 11 },
    });
    const runOnce = async (symbols: string[]) => {
      const fetcher = fetcherFor('sim', spec(symbols));
      await eventually(
        async () => fetcher.status(),
        (s) => s.backfills === 1 && s.polls >= 1,
      );
      await fetcher.stop();
    };
    await runOnce(['BTC']);
    // Restarted in a later second, the simulation's history falls on other instants than the
    // first run's: sent again, BTC's past would be a second, different one.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const restartedAt = Date.now();
    await runOnce(['BTC', 'ETH']);

    // Every message the stream holds, in order.
    const times = new Map<string, number[]>();
    const { state } = await bus.jsm.streams.info(bus.topo.streams.ticks);
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const msg = await bus.jsm.streams.getMessage(bus.topo.streams.ticks, { seq });
      for (const tick of decodeTicks(bus.topo, msg!.subject, msg!.data).ticks) {
        times.set(tick.symbol, [...(times.get(tick.symbol) ?? []), Date.parse(tick.time)]);
      }
    }
    // BTC's stream only moves forward: the restart sent no second, different past for it.
    const btc = times.get('BTC')!;
    expect(btc.every((t, i) => i === 0 || t > btc[i - 1]!)).toBe(true);
    // ETH, new to the source, got the hour of history (four ticks a minute) before its live ticks.
    const eth = times.get('ETH')!;
    const history = eth.filter((t) => t < restartedAt - 60_000);
    expect(history.length).toBeGreaterThanOrEqual(235);
    expect(eth[0]).toBeLessThan(restartedAt - 59 * 60_000);
  });
});
