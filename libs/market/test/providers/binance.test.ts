import { ProviderError, ticker24hrWeight } from '@cryptoviz/market';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixtureServer, rateLimited, readFixture } from '../fixture-server.ts';
import { expectValidTicks, makeProvider, parseFixture, signal } from './helpers.ts';

describe('binance: parsing recorded payloads', () => {
  it('reads a 24hr ticker in the quote asset, with Binance’s own close time', () => {
    const result = parseFixture('binance', 'ticker-24hr-single--crypto-vba-v1-2019-02-28.json', {
      quote: 'BTC',
    });
    expect(result.shape).toBe('ticker/24hr');
    expect(result.ticks).toEqual([
      {
        source: 'default/binance',
        provider: 'binance',
        symbol: 'ETH',
        quote: 'BTC',
        price: 0.035641,
        volume24h: 13459.43958266, // quoteVolume: already in BTC
        marketCap: null,
        change24hPct: -0.633,
        time: new Date(1551374992637).toISOString(),
      },
    ]);
  });

  it('tells the single object from the array form of ticker/24hr', () => {
    for (const [fixture, shape] of [
      ['ticker-24hr-single--docs-2026.json', 'ticker/24hr'],
      ['ticker-24hr-single--docs-2020.json', 'ticker/24hr'],
      ['ticker-24hr-array--docs-2026.json', 'ticker/24hr (array)'],
    ] as const) {
      const result = parseFixture('binance', fixture, { quote: 'BTC' });
      expect(result.shape).toBe(shape);
      expect(result.ticks).toHaveLength(1);
      expect(result.ticks[0]).toMatchObject({
        symbol: 'BNB',
        price: 4.000002,
        volume24h: 15.3,
        change24hPct: -95.96,
        time: '2017-07-12T14:31:39.040Z',
      });
    }
  });

  it('maps USD to USDT and back: BTCUSDT is our BTC in USD', () => {
    const result = parseFixture(
      'binance',
      'ticker-price-single--nautilus-trader-fixture-2021.json',
      {
        symbols: ['BTC'],
      },
    );
    expect(result.shape).toBe('ticker/price');
    expect(result.ticks).toMatchObject([{ symbol: 'BTC', quote: 'USD', price: 60740 }]);
  });

  it('reads ticker/price arrays, and says which pairs are in another quote', () => {
    const inBtc = parseFixture('binance', 'ticker-price-array--docs-2026.json', { quote: 'BTC' });
    expect(inBtc.ticks.map((tick) => [tick.symbol, tick.price])).toEqual([
      ['LTC', 4.000002],
      ['ETH', 0.079466],
    ]);
    const inUsd = parseFixture('binance', 'ticker-price-array--docs-2026.json');
    expect(inUsd.ticks).toEqual([]);
    expect(inUsd.skipped.map((entry) => entry.symbol)).toEqual(['LTCBTC', 'ETHBTC']);
  });

  it('turns klines into one tick per candle close', () => {
    const result = parseFixture('binance', 'klines--nautilus-trader-fixture-2021-10-22.json', {
      symbols: ['BTC'],
    });
    expect(result.shape).toBe('klines');
    expect(result.ticks).toHaveLength(10);
    // First row: open 1634943780000, close "60719.27000000", closeTime 1634943839999.
    expect(result.ticks[0]).toMatchObject({
      symbol: 'BTC',
      price: 60719.27,
      time: new Date(1634943840000).toISOString(),
      volume24h: null, // ten minutes of candles do not make a day
    });
    const docs = parseFixture('binance', 'klines--docs-2020.json', {
      symbols: ['BNB'],
      quote: 'BTC',
    });
    expect(docs.ticks).toMatchObject([
      { price: 0.015771, time: new Date(1499644800000).toISOString() },
    ]);
  });

  it('classifies the invalid-symbol error as unknown-symbol', () => {
    for (const fixture of [
      'error-1121-invalid-symbol--docs-2026.json',
      'error-1121-invalid-symbol--gappa-blog-2022.json',
    ]) {
      expect(() => parseFixture('binance', fixture)).toThrow(
        expect.objectContaining({ kind: 'unknown-symbol' }),
      );
    }
  });

  it('lets symbolMap pick the asset, the pair or the quote asset', () => {
    const pair = parseFixture('binance', 'ticker-price-single--docs-2026.json', {
      symbols: ['LITE'],
      symbolMap: { LITE: 'LTCBTC' },
      quote: 'BTC',
    });
    expect(pair.ticks).toMatchObject([{ symbol: 'LITE', price: 4.000002 }]);
    const asset = parseFixture('binance', 'ticker-price-single--docs-2026.json', {
      symbols: ['LITE'],
      symbolMap: { LITE: 'LTC' },
      quote: 'BTC',
    });
    expect(asset.ticks).toMatchObject([{ symbol: 'LITE' }]);
    const quoteAsset = parseFixture('binance', 'ticker-price-single--docs-2026.json', {
      symbols: ['LTC'],
      symbolMap: { XBT: 'BTC' },
      quote: 'XBT',
    });
    expect(quoteAsset.ticks).toMatchObject([{ symbol: 'LTC', quote: 'XBT' }]);
    const slashed = parseFixture(
      'binance',
      'ticker-price-single--nautilus-trader-fixture-2021.json',
      {
        symbols: ['BTC'],
        symbolMap: { BTC: 'BTC/USDT' },
      },
    );
    expect(slashed.ticks).toMatchObject([{ symbol: 'BTC', price: 60740 }]);
  });
});

describe('binance: weight', () => {
  it('charges ticker/24hr by the number of symbols, as documented', () => {
    expect([1, 20, 21, 100, 101, 500].map(ticker24hrWeight)).toEqual([2, 2, 40, 40, 80, 80]);
  });
});

describe('binance: live calls against the fixture server', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await FixtureServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('asks for every symbol in one request and maps the pairs back', async () => {
    server.on('/api/v3/ticker/24hr', {
      fixture: 'binance/ticker-24hr-array--docs-2026.json',
      headers: { 'x-mbx-used-weight-1m': '2' },
    });
    const { provider } = makeProvider('binance', {
      symbols: ['BNB', 'ETH'],
      quote: 'BTC',
      endpoint: server.url,
    });
    const result = await provider.poll(signal());
    expectValidTicks(result);
    expect(result.ticks).toMatchObject([{ symbol: 'BNB', quote: 'BTC', price: 4.000002 }]);
    expect(result.skipped).toEqual([
      { symbol: 'ETH', reason: expect.stringContaining('not in the response') },
    ]);
    const [request] = server.requestsTo('/api/v3/ticker/24hr');
    expect(JSON.parse(request!.query.get('symbols')!)).toEqual(['BNBBTC', 'ETHBTC']);
    expect(provider.stats()).toMatchObject({
      requests: 1,
      consecutiveFailures: 0,
      lastError: null,
    });
  });

  it('charges the weight of a many-symbol request and trusts the server’s weight count', async () => {
    const symbols = Array.from({ length: 25 }, (_, i) => `C${i}`);
    server.on('/api/v3/ticker/24hr', {
      fixture: 'binance/ticker-24hr-array--docs-2026.json',
      // The server says this IP has used 5990 of its 6000 weight this minute.
      headers: { 'x-mbx-used-weight-1m': '5990' },
    });
    const { provider, clock } = makeProvider('binance', { symbols, endpoint: server.url });
    await provider.poll(signal());
    expect(clock.sleeps).toEqual([]);
    await provider.poll(signal());
    // 25 symbols weigh 40; 10 are left, and 30 more refill at 100 a second.
    expect(clock.sleeps).toEqual([300]);
  });

  it('answers the invalid-symbol error (HTTP 400) as unknown-symbol, without retrying', async () => {
    server.on('/api/v3/ticker/24hr', {
      status: 400,
      fixture: 'binance/error-1121-invalid-symbol--docs-2026.json',
    });
    const { provider } = makeProvider('binance', { symbols: ['NOPE'], endpoint: server.url });
    await expect(provider.poll(signal())).rejects.toMatchObject({ kind: 'unknown-symbol' });
    expect(server.requests).toHaveLength(1);
  });

  it('keeps publishing the other symbols when one is unknown, and benches it for an hour', async () => {
    const [entry] = JSON.parse(readFixture('binance/ticker-24hr-array--docs-2026.json')) as {
      symbol: string;
    }[];
    const bnb = { ...entry, symbol: 'BNBBTC' };
    const eth = { ...entry, symbol: 'ETHBTC' };
    const invalid = { status: 400, fixture: 'binance/error-1121-invalid-symbol--docs-2026.json' };
    server.on(
      '/api/v3/ticker/24hr',
      invalid, // all three at once: refused whole
      { json: [bnb] }, // then one at a time
      invalid,
      { json: [eth] },
      { json: [bnb, eth] }, // later polls, without NOPE
    );
    const { provider, clock } = makeProvider('binance', {
      symbols: ['BNB', 'NOPE', 'ETH'],
      quote: 'BTC',
      endpoint: server.url,
    });
    const first = await provider.poll(signal());
    expect(first.ticks.map((tick) => tick.symbol).sort()).toEqual(['BNB', 'ETH']);
    expect(first.skipped).toEqual([
      {
        symbol: 'NOPE',
        reason: expect.stringMatching(/^unknown-symbol: .* \(left out of polls until .*\)$/),
      },
    ]);
    const asked = () => JSON.parse(server.requests.at(-1)!.query.get('symbols')!) as string[];
    const second = await provider.poll(signal());
    expect(asked()).toEqual(['BNBBTC', 'ETHBTC']);
    expect(second.ticks).toHaveLength(2);
    // Reported once, when benched: the DLQ gets one notice an hour, not one a poll.
    expect(second.skipped).toEqual([]);
    clock.advance(60 * 60_000);
    await provider.poll(signal()).catch(() => undefined);
    expect(asked()).toEqual(['BNBBTC', 'NOPEBTC', 'ETHBTC']);
  });

  it('treats 418 (IP ban) as rate-limited with the Retry-After given', async () => {
    server.on('/api/v3/ticker/24hr', { ...rateLimited(120), status: 418 });
    const { provider } = makeProvider('binance', { symbols: ['BTC'], endpoint: server.url });
    const error = await provider.poll(signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterMs: 120_000 });
  });

  it('backfills from klines, one request per symbol', async () => {
    server.on('/api/v3/klines', {
      fixture: 'binance/klines--nautilus-trader-fixture-2021-10-22.json',
    });
    const { provider } = makeProvider('binance', { symbols: ['BTC'], endpoint: server.url });
    const result = await provider.backfill!(1, signal());
    expectValidTicks(result);
    expect(result.ticks).toHaveLength(10);
    const [request] = server.requestsTo('/api/v3/klines');
    expect(request!.query.get('symbol')).toBe('BTCUSDT');
    expect(request!.query.get('interval')).toBe('1m');
  });
});
