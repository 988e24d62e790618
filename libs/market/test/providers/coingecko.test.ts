import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixtureServer, rateLimited } from '../fixture-server.ts';
import { expectValidTicks, makeProvider, parseFixture, signal } from './helpers.ts';

describe('coingecko: parsing recorded payloads', () => {
  it('reads simple/price keyed by coin id, with last_updated_at as the time', () => {
    const result = parseFixture('coingecko', 'simple-price--oas-demo.json');
    expect(result.shape).toBe('simple/price');
    expect(result.ticks).toEqual([
      {
        source: 'default/coingecko',
        provider: 'coingecko',
        symbol: 'BTC',
        quote: 'USD',
        price: 76975,
        volume24h: 29096603418.89408,
        marketCap: 1542226908349.8406,
        change24hPct: -1.4093297098441402,
        time: new Date(1779092258 * 1000).toISOString(),
      },
    ]);
  });

  it('reads coins/markets, told apart from simple/price by its shape', () => {
    const demo = parseFixture('coingecko', 'coins-markets--oas-demo.json');
    expect(demo.shape).toBe('coins/markets');
    expect(demo.ticks).toMatchObject([
      {
        symbol: 'BTC',
        price: 77671,
        volume24h: 33235034316,
        marketCap: 1555886872303,
        change24hPct: -0.95302,
        time: '2026-05-18T12:49:21.599Z',
      },
    ]);
    const archive = parseFixture('coingecko', 'coins-markets--oas-public-v3-archive.json');
    expect(archive.ticks).toMatchObject([
      { symbol: 'BTC', price: 70187, volume24h: 20154184933, time: '2024-04-07T16:49:31.736Z' },
    ]);
  });

  it('uses symbolMap for coins the built-in table does not know', () => {
    const result = parseFixture('coingecko', 'simple-price--oas-demo.json', {
      symbols: ['XBT'],
      symbolMap: { XBT: 'bitcoin' },
    });
    expect(result.ticks).toMatchObject([{ symbol: 'XBT', price: 76975 }]);
  });

  it('skips a coin whose numbers are not in the requested quote', () => {
    const result = parseFixture('coingecko', 'simple-price--oas-demo.json', { quote: 'EUR' });
    expect(result.ticks).toEqual([]);
    expect(result.skipped).toEqual([{ symbol: 'BTC', reason: expect.stringContaining('eur') }]);
  });

  it('classifies both recorded 429 bodies as rate-limited with a retry hint', () => {
    for (const fixture of [
      'error-429--nimblehq-okhttp-log-2022.json',
      'error-429--cryptgo-issue30-2023.json',
    ]) {
      expect(() => parseFixture('coingecko', fixture)).toThrow(
        expect.objectContaining({ kind: 'rate-limited', retryAfterMs: 60_000 }),
      );
    }
  });
});

describe('coingecko: live calls against the fixture server', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await FixtureServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('asks simple/price for ids, with the demo key header', async () => {
    server.on('/api/v3/simple/price', { fixture: 'coingecko/simple-price--oas-demo.json' });
    const { provider } = makeProvider(
      'coingecko',
      { symbols: ['BTC', 'FOO'], endpoint: `${server.url}/api/v3` },
      { apiKey: 'CG-demo-key' },
    );
    const result = await provider.poll(signal());
    expectValidTicks(result);
    expect(result.ticks).toMatchObject([{ symbol: 'BTC', price: 76975 }]);
    expect(result.skipped).toEqual([
      { symbol: 'FOO', reason: expect.stringContaining('no CoinGecko id') },
    ]);
    const [request] = server.requests;
    expect(request!.query.get('ids')).toBe('bitcoin');
    expect(request!.query.get('vs_currencies')).toBe('usd');
    expect(request!.headers['x-cg-demo-api-key']).toBe('CG-demo-key');
  });

  it('sends the pro header when the endpoint is pro-api', async () => {
    const { coingeckoAdapter } = await import('@cryptoviz/market');
    const pro = coingeckoAdapter.connection('key', 'https://pro-api.coingecko.com/api/v3');
    expect(pro.headers).toEqual({ 'x-cg-pro-api-key': 'key' });
    const demo = coingeckoAdapter.connection('key', undefined);
    expect(demo).toMatchObject({
      baseUrl: 'https://api.coingecko.com/api/v3',
      headers: { 'x-cg-demo-api-key': 'key' },
    });
  });

  it('reports the recorded 429 with the server’s Retry-After', async () => {
    server.on('/simple/price', rateLimited(30, 'coingecko/error-429--cryptgo-issue30-2023.json'));
    const { provider } = makeProvider('coingecko', { symbols: ['BTC'], endpoint: server.url });
    await expect(provider.poll(signal())).rejects.toMatchObject({
      kind: 'rate-limited',
      retryAfterMs: 30_000,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('backfills from market_chart, keeping only the hours asked for', async () => {
    const now = Date.now();
    const at = (hoursAgo: number) => now - hoursAgo * 3_600_000;
    server.on('/coins/bitcoin/market_chart', {
      json: {
        prices: [
          [at(30), 70000],
          [at(2), 71000],
          [at(1), 71500],
        ],
        market_caps: [
          [at(30), 1.3e12],
          [at(2), 1.31e12],
          [at(1), 1.32e12],
        ],
        total_volumes: [
          [at(30), 2e10],
          [at(2), 2.1e10],
          [at(1), 2.2e10],
        ],
      },
    });
    const { provider } = makeProvider('coingecko', { symbols: ['BTC'], endpoint: server.url });
    const result = await provider.backfill!(3, signal());
    expectValidTicks(result);
    expect(result.ticks.map((tick) => [tick.price, tick.marketCap, tick.volume24h])).toEqual([
      [71000, 1.31e12, 2.1e10],
      [71500, 1.32e12, 2.2e10],
    ]);
    expect(server.requests[0]!.query.get('days')).toBe('1');
  });
});
