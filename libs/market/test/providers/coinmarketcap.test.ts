import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixtureServer } from '../fixture-server.ts';
import { expectValidTicks, makeProvider, parseFixture, signal } from './helpers.ts';

describe('coinmarketcap: parsing recorded payloads', () => {
  it('reads listings/latest', () => {
    const result = parseFixture(
      'coinmarketcap',
      'listings-latest--crypto-price-list-mock-2019.json',
    );
    expect(result.shape).toBe('listings/latest');
    expect(result.ticks.map((tick) => tick.symbol)).toEqual(['BTC', 'XRP', 'ETH']);
    expect(result.ticks[0]).toEqual({
      source: 'default/coinmarketcap',
      provider: 'coinmarketcap',
      symbol: 'BTC',
      quote: 'USD',
      price: 3453.70296808,
      volume24h: 5477698705.81813,
      marketCap: 60532447523.518745,
      change24hPct: 1.07139,
      time: '2019-02-08T12:28:26.000Z',
    });
  });

  it('reads the full 100-coin listing, or just the symbols asked for', () => {
    const all = parseFixture('coinmarketcap', 'listings-latest--scarce-coin-curator-2021.json');
    expect(all.ticks).toHaveLength(100);
    expect(all.skipped).toEqual([]);
    const some = parseFixture('coinmarketcap', 'listings-latest--scarce-coin-curator-2021.json', {
      symbols: ['ETH', 'DOGE'],
    });
    expect(some.ticks.map((tick) => [tick.symbol, tick.price])).toEqual([
      ['ETH', 3416.8883630525256],
      ['DOGE', expect.any(Number)],
    ]);
  });

  it('reads the quote currency the payload was converted to', () => {
    const aud = parseFixture('coinmarketcap', 'listings-latest--cmclogger-tests-2020-aud.json', {
      quote: 'AUD',
    });
    expect(aud.ticks).toMatchObject([{ symbol: 'BTC', quote: 'AUD', price: 10349.875293052113 }]);
    const usd = parseFixture('coinmarketcap', 'listings-latest--cmclogger-tests-2020-aud.json');
    expect(usd.ticks).toEqual([]);
    expect(usd.skipped).toEqual([
      { symbol: 'BTC', reason: 'no USD quote (has AUD; pass --quote)' },
    ]);
  });

  it('tells quotes v1, v2 by id and v2 by symbol apart', () => {
    const v1 = parseFixture(
      'coinmarketcap',
      'quotes-latest-v1--interviewproject-fixture-2019.json',
    );
    expect(v1.shape).toBe('quotes/latest v1');
    expect(v1.ticks).toHaveLength(10);
    expect(v1.ticks.find((tick) => tick.symbol === 'LTC')).toMatchObject({
      price: 33.8041552743,
      volume24h: 753628650.638565,
    });
    const byId = parseFixture(
      'coinmarketcap',
      'quotes-latest-v2-by-id--cmc-rs-tests-2022-06-01.json',
    );
    expect(byId.shape).toBe('quotes/latest v2 (by id)');
    expect(byId.ticks).toMatchObject([
      { symbol: 'BTC', price: 29705.93501696529, time: '2022-06-01T21:26:00.000Z' },
    ]);
    const bySymbol = parseFixture(
      'coinmarketcap',
      'quotes-latest-v2-by-symbol--cmc-rs-tests-2022-06-01.json',
    );
    expect(bySymbol.shape).toBe('quotes/latest v2 (by symbol)');
    expect(bySymbol.ticks).toMatchObject([{ symbol: 'BTC', price: 30181.22136320567 }]);
  });

  it('classifies the recorded error bodies', () => {
    for (const fixture of [
      'error-1002-api-key-missing--coinmarketcapr-issue24-2020.json',
      'error-1002-api-key-missing--cmclogger-tests-docs-example.json',
    ]) {
      expect(() => parseFixture('coinmarketcap', fixture)).toThrow(
        expect.objectContaining({ kind: 'auth' }),
      );
    }
    expect(() =>
      parseFixture(
        'coinmarketcap',
        'error-1008-rate-limit--cmc-currency-converter-tests-docs-example.json',
      ),
    ).toThrow(expect.objectContaining({ kind: 'rate-limited', retryAfterMs: 60_000 }));
  });

  it('lets symbolMap rename a ticker', () => {
    const result = parseFixture(
      'coinmarketcap',
      'listings-latest--crypto-price-list-mock-2019.json',
      {
        symbols: ['RIPPLE'],
        symbolMap: { RIPPLE: 'XRP' },
      },
    );
    expect(result.ticks).toMatchObject([{ symbol: 'RIPPLE', price: 0.299183586734 }]);
  });
});

describe('coinmarketcap: live calls against the fixture server', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await FixtureServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('asks quotes/latest by symbol with the key header', async () => {
    server.on('/v2/cryptocurrency/quotes/latest', {
      fixture: 'coinmarketcap/quotes-latest-v2-by-symbol--cmc-rs-tests-2022-06-01.json',
    });
    const { provider } = makeProvider(
      'coinmarketcap',
      { symbols: ['BTC'], endpoint: server.url },
      { apiKey: 'cmc-key' },
    );
    const result = await provider.poll(signal());
    expectValidTicks(result);
    expect(result.ticks).toMatchObject([{ symbol: 'BTC', price: 30181.22136320567 }]);
    const [request] = server.requests;
    expect(request!.headers['x-cmc_pro_api_key']).toBe('cmc-key');
    expect(request!.query.get('symbol')).toBe('BTC');
    expect(request!.query.get('convert')).toBe('USD');
  });

  it('classifies a 1008 sent with HTTP 200 as rate-limited', async () => {
    server.on('/v2/cryptocurrency/quotes/latest', {
      fixture:
        'coinmarketcap/error-1008-rate-limit--cmc-currency-converter-tests-docs-example.json',
    });
    const { provider } = makeProvider(
      'coinmarketcap',
      { symbols: ['BTC'], endpoint: server.url },
      { apiKey: 'cmc-key' },
    );
    await expect(provider.poll(signal())).rejects.toMatchObject({
      kind: 'rate-limited',
      retryAfterMs: 60_000,
    });
  });

  it('classifies the recorded 401 as auth, and refuses to call without a key', async () => {
    server.on('/v2/cryptocurrency/quotes/latest', {
      status: 401,
      fixture: 'coinmarketcap/error-1002-api-key-missing--coinmarketcapr-issue24-2020.json',
    });
    const keyed = makeProvider(
      'coinmarketcap',
      { symbols: ['BTC'], endpoint: server.url },
      { apiKey: 'bad-key' },
    );
    await expect(keyed.provider.poll(signal())).rejects.toMatchObject({ kind: 'auth' });
    const keyless = makeProvider('coinmarketcap', { symbols: ['BTC'], endpoint: server.url });
    await expect(keyless.provider.poll(signal())).rejects.toMatchObject({ kind: 'auth' });
    expect(server.requests).toHaveLength(1);
  });
});
