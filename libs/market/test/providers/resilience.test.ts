import { ProviderError, type HttpProviderName } from '@cryptoviz/market';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FixtureServer,
  htmlErrorPage,
  oversizedBody,
  rateLimited,
  readFixture,
  type ScriptedResponse,
} from '../fixture-server.ts';
import { expectValidTicks, makeProvider, ManualClock, signal } from './helpers.ts';

const TICKER = '/api/v3/ticker/24hr';
const OK: ScriptedResponse = { fixture: 'binance/ticker-24hr-array--docs-2026.json' };

let server: FixtureServer;
beforeAll(async () => {
  server = await FixtureServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

function binance(http: Parameters<typeof makeProvider>[2] = {}) {
  return makeProvider('binance', { symbols: ['BNB'], quote: 'BTC', endpoint: server.url }, http);
}

async function pollError(poll: Promise<unknown>): Promise<ProviderError> {
  const error = await poll.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('retries', () => {
  it('retries transient failures (5xx, HTML error pages) and then succeeds', async () => {
    server.on(TICKER, htmlErrorPage(502), { status: 503, json: { code: -1001, msg: 'busy' } }, OK);
    const { provider } = binance();
    const result = await provider.poll(signal());
    expect(result.ticks).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
    expect(provider.stats()).toMatchObject({ requests: 3, retries: 2, consecutiveFailures: 0 });
  });

  it('gives up after the configured retries with a transient error', async () => {
    server.on(TICKER, htmlErrorPage(500, '500 Internal Server Error'));
    const { provider } = binance();
    const error = await pollError(provider.poll(signal()));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('HTTP 500');
    expect(server.requests).toHaveLength(3);
  });

  it.each([
    ['auth', { status: 401, json: { code: -2015, msg: 'Invalid API-key' } }],
    [
      'unknown-symbol',
      { status: 400, fixture: 'binance/error-1121-invalid-symbol--docs-2026.json' },
    ],
    ['rate-limited', rateLimited(1)],
    ['malformed', { status: 200, body: '<html><body>maintenance</body></html>' }],
  ] as const)('does not retry %s', async (kind, response) => {
    server.on(TICKER, response, OK);
    const { provider } = binance();
    expect((await pollError(provider.poll(signal()))).kind).toBe(kind);
    expect(server.requests).toHaveLength(1);
  });
});

describe('Retry-After', () => {
  it('holds the next request until the provider said to come back', async () => {
    server.on(TICKER, rateLimited(7), OK);
    const { provider, clock } = binance();
    const error = await pollError(provider.poll(signal()));
    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterMs: 7_000 });
    const result = await provider.poll(signal());
    expect(result.ticks).toHaveLength(1);
    expect(clock.sleeps).toContain(7_000);
    expect(provider.stats()).toMatchObject({ rateLimitWaits: 1, rateLimitWaitMs: 7_000 });
  });

  it('waits out a 503’s Retry-After before retrying it', async () => {
    server.on(TICKER, { ...htmlErrorPage(503), headers: { 'retry-after': '2' } }, OK);
    const { provider, clock } = binance();
    await provider.poll(signal());
    expect(clock.sleeps).toContain(2_000);
    expect(server.requests).toHaveLength(2);
  });

  it('fails fast, without a request, when the pause is longer than a poll may wait', async () => {
    server.on(TICKER, rateLimited(3600), OK);
    const { provider } = binance({ http: { maxRateLimitWaitMs: 10_000 } });
    await pollError(provider.poll(signal()));
    const second = await pollError(provider.poll(signal()));
    expect(second.kind).toBe('rate-limited');
    expect(second.retryAfterMs).toBeGreaterThan(3_590_000);
    expect(server.requests).toHaveLength(1);
  });

  it('paces requests to the documented limit (spec.rateLimit overrides it)', async () => {
    server.on('/products/BTC-USD/ticker', {
      fixture: 'coinbase/ticker--ccxt-static-2024-03-13.json',
    });
    server.on('/products/BTC-USD/stats', {
      fixture: 'coinbase/stats--cryptocogs-capture-2026-06-19.json',
    });
    const { provider, clock } = makeProvider('coinbase', {
      symbols: ['BTC'],
      endpoint: server.url,
      rateLimit: { requestsPerMinute: 2 },
    });
    await provider.poll(signal()); // two requests: the bucket (burst 2) is now empty
    await provider.poll(signal());
    // Two more requests at 2 per minute: the limiter waited 30 s for each.
    expect(clock.sleeps).toEqual([30_000, 30_000]);
    expect(provider.stats().requests).toBe(4);
  });
});

describe('circuit breaker', () => {
  it('opens after repeated failures, says until when, and half-opens after the cool-down', async () => {
    server.on(TICKER, htmlErrorPage(500));
    const clock = new ManualClock();
    const { provider } = binance({ clock });
    for (let i = 0; i < 3; i++) await pollError(provider.poll(signal()));
    expect(server.requests).toHaveLength(9);

    const open = await pollError(provider.poll(signal()));
    const until = new Date(clock.now() + 60_000).toISOString();
    expect(open.kind).toBe('transient');
    expect(open.message).toContain(`circuit breaker open until ${until}`);
    expect(open.retryAfterMs).toBe(60_000);
    expect(server.requests).toHaveLength(9); // no request while open
    expect(provider.stats()).toMatchObject({
      consecutiveFailures: 4,
      circuit: { state: 'open', openUntil: until },
    });

    clock.advance(60_000);
    expect(provider.stats().circuit.state).toBe('half-open');
    await pollError(provider.poll(signal())); // the trial call fails: open again at once
    expect(provider.stats().circuit.state).toBe('open');

    server.on(TICKER, OK);
    clock.advance(60_000);
    const result = await provider.poll(signal());
    expect(result.ticks).toHaveLength(1);
    expect(provider.stats()).toMatchObject({
      consecutiveFailures: 0,
      circuit: { state: 'closed', openUntil: null },
    });
  });

  it('is not tripped by our own mistakes (unknown symbols)', async () => {
    server.on(TICKER, {
      status: 400,
      fixture: 'binance/error-1121-invalid-symbol--docs-2026.json',
    });
    const { provider } = binance();
    for (let i = 0; i < 5; i++) await pollError(provider.poll(signal()));
    expect(provider.stats().circuit.state).toBe('closed');
    expect(server.requests).toHaveLength(5);
  });
});

describe('bodies that are not what was promised', () => {
  it('classifies an HTML page served with 200 as malformed, naming it', async () => {
    server.on(TICKER, { status: 200, ...htmlErrorPage(200, 'Just a moment...') });
    const error = await pollError(binance().provider.poll(signal()));
    expect(error.kind).toBe('malformed');
    expect(error.message).toContain('HTML page ("Just a moment...")');
  });

  it('classifies a body cut off mid-transfer as malformed', async () => {
    server.on(TICKER, { ...OK, truncateAfterBytes: 100 });
    const error = await pollError(binance().provider.poll(signal()));
    expect(error.kind).toBe('malformed');
    expect(error.message).toContain('cut off');
  });

  it('classifies truncated JSON delivered whole as malformed', async () => {
    const cut = readFixture('binance/ticker-24hr-array--docs-2026.json').slice(0, 120);
    server.on(TICKER, { body: cut, headers: { 'content-type': 'application/json' } });
    const error = await pollError(binance().provider.poll(signal()));
    expect(error).toMatchObject({
      kind: 'malformed',
      message: expect.stringContaining('invalid JSON'),
    });
  });

  it.each([false, true])('refuses a body over the size cap (chunked: %s)', async (chunked) => {
    server.on(TICKER, oversizedBody(64 * 1024, chunked));
    const error = await pollError(
      binance({ http: { maxBodyBytes: 16 * 1024 } }).provider.poll(signal()),
    );
    expect(error.kind).toBe('malformed');
    expect(error.message).toMatch(/exceeds the 16384-byte cap/);
  });

  it('times out a slow response as transient', async () => {
    server.on(TICKER, { ...OK, delayMs: 1_000 });
    const { provider } = binance({ http: { timeoutMs: 100, retry: { retries: 0 } } });
    const error = await pollError(provider.poll(signal()));
    expect(error).toMatchObject({
      kind: 'transient',
      message: expect.stringContaining('timed out'),
    });
  });

  it('never follows a redirect (it would carry the key headers along)', async () => {
    server.on(TICKER, {
      status: 302,
      headers: { location: 'http://127.0.0.2:1/moved?token=abc' },
      body: '',
    });
    const { provider } = binance({ apiKey: 'k' });
    const error = await pollError(provider.poll(signal()));
    expect(error.kind).toBe('config');
    expect(error.message).toContain('redirected to http://127.0.0.2:1;');
    expect(error.message).not.toContain('token');
    expect(server.requests).toHaveLength(1);
  });

  it('reports a refused connection as transient', async () => {
    const { provider } = makeProvider('kraken', {
      symbols: ['BTC'],
      endpoint: 'http://127.0.0.1:9',
    });
    expect((await pollError(provider.poll(signal()))).kind).toBe('transient');
  });

  it('turns the caller’s abort into a ProviderError that is not counted as a failure', async () => {
    server.on(TICKER, { ...OK, delayMs: 1_000 });
    const { provider } = binance();
    const error = await pollError(provider.poll(AbortSignal.timeout(50)));
    expect(error.message).toContain('aborted');
    expect(provider.stats().consecutiveFailures).toBe(0);
  });
});

describe('values a provider should not send', () => {
  const entry = (symbol: string, fields: Record<string, unknown> = {}) => ({
    symbol,
    priceChangePercent: '1.5',
    lastPrice: '100.5',
    quoteVolume: '1000',
    closeTime: Date.parse('2024-01-01T00:00:00Z'),
    ...fields,
  });

  it('skips each entry without a usable price or time with its reason and publishes the rest', async () => {
    const symbols = [
      'OK',
      'MISS',
      'NUL',
      'NUM',
      'NAN',
      'NEG',
      'ZERO',
      'INF',
      'FUT',
      'OLD',
      'DROP',
      'DUP',
    ];
    server.on(TICKER, {
      json: [
        entry('OKBTC'),
        { symbol: 'MISSBTC', priceChangePercent: '1', quoteVolume: '1', closeTime: 1 },
        entry('NULBTC', { lastPrice: null }),
        entry('NUMBTC', { lastPrice: 100.5 }),
        entry('NANBTC', { lastPrice: 'NaN' }),
        entry('NEGBTC', { lastPrice: '-3' }),
        entry('ZEROBTC', { lastPrice: '0' }),
        entry('INFBTC', { lastPrice: '1e400' }),
        entry('FUTBTC', { closeTime: Date.parse('2100-01-01T00:00:00Z') }),
        entry('OLDBTC', { closeTime: Date.parse('2001-01-01T00:00:00Z') }),
        entry('DROPBTC', { priceChangePercent: '-100' }),
        entry('DUPBTC'),
        entry('DUPBTC', { lastPrice: '999' }),
        entry('UNASKEDBTC'),
      ],
    });
    const { provider } = makeProvider('binance', { symbols, quote: 'BTC', endpoint: server.url });
    const result = await provider.poll(signal());
    expectValidTicks(result);
    // A number where a decimal string was is still the price; a -100 % change is no change
    // anyone saw, so that tick is kept without it, and the field counted.
    expect(result.ticks.map((tick) => [tick.symbol, tick.price, tick.change24hPct])).toEqual([
      ['OK', 100.5, 1.5],
      ['NUM', 100.5, 1.5],
      ['DROP', 100.5, null],
      ['DUP', 100.5, 1.5],
    ]);
    expect(result.ignoredFields).toEqual({ change24hPct: 1 });
    const kept = ['OK', 'NUM', 'DROP'];
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.symbol, s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(symbols.filter((s) => !kept.includes(s)).sort());
    expect(reasons.MISS).toMatch(/lastPrice/);
    expect(reasons.NUL).toMatch(/lastPrice/);
    expect(reasons.NAN).toMatch(/lastPrice/);
    expect(reasons.NEG).toMatch(/price/);
    expect(reasons.ZERO).toMatch(/price/);
    expect(reasons.INF).toMatch(/lastPrice/);
    expect(reasons.FUT).toMatch(/future/);
    expect(reasons.OLD).toMatch(/2009/);
    expect(reasons.DUP).toMatch(/duplicate/);
    expect(provider.stats().skippedTicks).toBe(symbols.length - kept.length);
  });

  it('reads a CoinGecko price sent as a string, and ignores a bad optional field', async () => {
    server.on('/simple/price', {
      json: {
        bitcoin: { usd: '76975', last_updated_at: 1779092258 },
        ethereum: { usd: 3000, usd_24h_vol: { value: 12 }, usd_market_cap: null },
      },
    });
    const { provider } = makeProvider('coingecko', {
      symbols: ['BTC', 'ETH'],
      endpoint: server.url,
    });
    const result = await provider.poll(signal());
    expect(result.ticks.map((tick) => [tick.symbol, tick.price, tick.volume24h])).toEqual([
      ['BTC', 76975, null],
      ['ETH', 3000, null],
    ]);
    expect(result.skipped).toEqual([]);
    // Null is "not known"; a nested object where a number belongs is counted.
    expect(result.ignoredFields).toEqual({ '<vs>_24h_vol': 1 });
  });
});

/** Each provider's poll routes, for feeding them arbitrary bodies. */
const POLL_ROUTES: Record<HttpProviderName, string[]> = {
  binance: [TICKER],
  coingecko: ['/simple/price'],
  coinmarketcap: ['/v2/cryptocurrency/quotes/latest'],
  kraken: ['/0/public/Ticker'],
  coinbase: ['/products/BTC-USD/ticker', '/products/BTC-USD/stats'],
};
const GARBAGE = [
  '',
  'null',
  'true',
  '42',
  '"text"',
  '[]',
  '{}',
  '[null]',
  '[[]]',
  '[[1,2]]',
  '{"error":[]}',
  '{"error":["EGeneral:Internal error"]}',
  '{"result":null,"error":[]}',
  '{"result":{"XXBTZUSD":null},"error":[]}',
  '{"data":null}',
  '{"data":{"BTC":[]}}',
  '{"status":{"error_code":0},"data":[{"symbol":"BTC","quote":null}]}',
  '{"bitcoin":null}',
  '{"bitcoin":{"usd":null}}',
  '{"price":"1","time":"not a time","volume":"1"}',
  '{"last":"1","open":"0","volume":"-1"}',
  '{"code":"x","msg":5}',
  '{"message":42}',
  '{"a":',
  '<html>',
  '\u0000\u0001',
];

describe('whatever comes back, poll yields valid ticks or a ProviderError', () => {
  it.each(Object.keys(POLL_ROUTES) as HttpProviderName[])('%s', async (name) => {
    for (const body of GARBAGE) {
      server.reset();
      for (const route of POLL_ROUTES[name]) server.on(route, { body });
      const { provider } = makeProvider(
        name,
        { symbols: ['BTC'], endpoint: server.url },
        { apiKey: 'k', http: { retry: { retries: 0 } } },
      );
      try {
        expectValidTicks(await provider.poll(signal()));
      } catch (error) {
        expect(error, `body ${JSON.stringify(body)}`).toBeInstanceOf(ProviderError);
        // A classified error, not an adapter bug caught by the last line of defence.
        expect((error as ProviderError).message).not.toMatch(/unexpected failure/);
      }
    }
  });
});
