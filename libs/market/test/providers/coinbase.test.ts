import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixtureServer } from '../fixture-server.ts';
import { expectValidTicks, makeProvider, parseFixture, signal } from './helpers.ts';

describe('coinbase: parsing recorded payloads', () => {
  it('reads the ticker: base volume valued at the last price, time from the trade', () => {
    const result = parseFixture('coinbase', 'ticker--ccxt-static-2024-03-13.json', {
      symbols: ['BTC'],
      quote: 'USDT',
    });
    expect(result.shape).toBe('ticker');
    const [tick] = result.ticks;
    expect(tick).toMatchObject({ symbol: 'BTC', quote: 'USDT', price: 73367.8 });
    expect(tick!.volume24h).toBeCloseTo(1207.50668151 * 73367.8, 4);
    expect(tick!.time).toBe('2024-03-13T11:10:41.270Z');
  });

  it('reads stats: 24 h change from the open 24 h ago', () => {
    const result = parseFixture('coinbase', 'stats--cryptocogs-capture-2026-06-19.json', {
      symbols: ['BTC'],
    });
    expect(result.shape).toBe('stats');
    const [tick] = result.ticks;
    expect(tick!.price).toBe(63212.41);
    expect(tick!.change24hPct).toBeCloseTo((63212.41 / 62605.56 - 1) * 100, 10);
    expect(tick!.volume24h).toBeCloseTo(4918.33722403 * 63212.41, 4);
    const older = parseFixture('coinbase', 'stats--coinbase-pro-node-test-2019.json', {
      symbols: ['BTC'],
    });
    expect(older.ticks[0]!.price).toBe(8137.06);
  });

  it('needs to be told the product: the ticker does not name it', () => {
    expect(() => parseFixture('coinbase', 'ticker--ccxt-static-2024-03-13.json')).toThrow(
      expect.objectContaining({ kind: 'config', message: expect.stringContaining('--symbols') }),
    );
  });

  it('turns candles (newest first) into ticks at each close, oldest first', () => {
    const result = parseFixture('coinbase', 'candles--crypto-candles-test-2022-01-16.json', {
      symbols: ['BTC'],
      quote: 'USDT',
    });
    expect(result.shape).toBe('candles');
    expect(result.ticks.map((tick) => [tick.time, tick.price])).toEqual([
      [new Date((1642330620 + 60) * 1000).toISOString(), 43007.73],
      [new Date((1642330680 + 60) * 1000).toISOString(), 42983.91],
      [new Date((1642330740 + 60) * 1000).toISOString(), 42940.33],
    ]);
  });

  it('fills 24 h volume and change once a full day of hourly candles is behind a tick', () => {
    const result = parseFixture('coinbase', 'candles--coinbase-pro-node-fixture-2020-03.json', {
      symbols: ['BTC'],
    });
    expect(result.ticks).toHaveLength(169);
    expect(result.ticks[22]!.volume24h).toBeNull();
    const day = result.ticks[23]!;
    expect(day.volume24h).not.toBeNull();
    // The newest candle: [1584316800, 5236.01, 5346.05, 5346.03, 5245.17, 3728.67857634].
    const last = result.ticks.at(-1)!;
    expect(last).toMatchObject({ price: 5245.17, time: new Date(1584320400 * 1000).toISOString() });
    expect(last.change24hPct).not.toBeNull();
  });

  it('needs the interval for a single candle', () => {
    expect(() =>
      parseFixture('coinbase', 'candles--ccxt-static-2024-03-13.json', { symbols: ['BTC'] }),
    ).toThrow(expect.objectContaining({ kind: 'config' }));
    const result = parseFixture('coinbase', 'candles--ccxt-static-2024-03-13.json', {
      symbols: ['BTC'],
      candleIntervalMs: 3_600_000,
    });
    expect(result.ticks).toMatchObject([
      { price: 73370.65, time: new Date((1710327600 + 3600) * 1000).toISOString() },
    ]);
  });

  it('classifies NotFound as unknown-symbol', () => {
    for (const fixture of [
      'error-notfound--gappa-blog-2022.json',
      'error-notfound--crypto-candles-test-2022.json',
    ]) {
      expect(() => parseFixture('coinbase', fixture, { symbols: ['BTC'] })).toThrow(
        expect.objectContaining({ kind: 'unknown-symbol' }),
      );
    }
  });
});

describe('coinbase: live calls against the fixture server', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await FixtureServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('merges ticker and stats per product: price and time from the ticker, change from stats', async () => {
    server
      .on('/products/BTC-USD/ticker', { fixture: 'coinbase/ticker--ccxt-static-2024-03-13.json' })
      .on('/products/BTC-USD/stats', {
        fixture: 'coinbase/stats--cryptocogs-capture-2026-06-19.json',
      });
    const { provider } = makeProvider('coinbase', { symbols: ['BTC'], endpoint: server.url });
    const result = await provider.poll(signal());
    expectValidTicks(result);
    const [tick] = result.ticks;
    expect(tick).toMatchObject({ symbol: 'BTC', price: 73367.8, time: '2024-03-13T11:10:41.270Z' });
    expect(tick!.change24hPct).toBeCloseTo((73367.8 / 62605.56 - 1) * 100, 10);
  });

  it('asks for the product symbolMap names', async () => {
    server
      .on('/products/BTC-USDC/ticker', { fixture: 'coinbase/ticker--ccxt-static-2024-03-13.json' })
      .on('/products/BTC-USDC/stats', {
        fixture: 'coinbase/stats--coinbase-pro-node-test-2019.json',
      });
    const { provider } = makeProvider('coinbase', {
      symbols: ['BTC'],
      symbolMap: { BTC: 'BTC-USDC' },
      endpoint: server.url,
    });
    const result = await provider.poll(signal());
    expect(result.ticks).toMatchObject([{ symbol: 'BTC', quote: 'USD', price: 73367.8 }]);
    expect(server.requests.map((request) => request.path).sort()).toEqual([
      '/products/BTC-USDC/stats',
      '/products/BTC-USDC/ticker',
    ]);
  });

  it('skips an unknown product (404 NotFound) and still publishes the others', async () => {
    server
      .on('/products/BTC-USD/ticker', { fixture: 'coinbase/ticker--ccxt-static-2024-03-13.json' })
      .on('/products/BTC-USD/stats', {
        fixture: 'coinbase/stats--cryptocogs-capture-2026-06-19.json',
      })
      .on('/products/NOPE-USD/ticker', {
        status: 404,
        fixture: 'coinbase/error-notfound--gappa-blog-2022.json',
      })
      .on('/products/NOPE-USD/stats', {
        status: 404,
        fixture: 'coinbase/error-notfound--gappa-blog-2022.json',
      });
    const { provider } = makeProvider('coinbase', {
      symbols: ['BTC', 'NOPE'],
      endpoint: server.url,
    });
    const result = await provider.poll(signal());
    expect(result.ticks.map((tick) => tick.symbol)).toEqual(['BTC']);
    expect(result.skipped).toEqual([
      {
        symbol: 'NOPE',
        reason:
          'unknown-symbol: coinbase GET /products/NOPE-USD/ticker: answered 404 with an error in its body (unknown-symbol)',
      },
    ]);
    // Unknown products are our mistake, not the provider's: not retried.
    expect(server.requestsTo('/products/NOPE-USD/ticker')).toHaveLength(1);
  });

  it('fails the poll as unknown-symbol when no product exists', async () => {
    server.on('/products/NOPE-USD/ticker', {
      status: 404,
      fixture: 'coinbase/error-notfound--crypto-candles-test-2022.json',
    });
    server.on('/products/NOPE-USD/stats', {
      status: 404,
      fixture: 'coinbase/error-notfound--crypto-candles-test-2022.json',
    });
    const { provider } = makeProvider('coinbase', { symbols: ['NOPE'], endpoint: server.url });
    await expect(provider.poll(signal())).rejects.toMatchObject({ kind: 'unknown-symbol' });
  });

  it('backfills candles in pages of at most 300', async () => {
    server.on('/products/BTC-USD/candles', {
      fixture: 'coinbase/candles--coinbase-pro-node-fixture-2020-03.json',
    });
    const { provider } = makeProvider('coinbase', { symbols: ['BTC'], endpoint: server.url });
    // 48 h at 5-minute granularity is 576 candles: two pages.
    const result = await provider.backfill!(48, signal());
    expectValidTicks(result);
    const requests = server.requestsTo('/products/BTC-USD/candles');
    expect(requests.map((request) => request.query.get('granularity'))).toEqual(['300', '300']);
    // The same recorded page was served twice: its repeats are skipped, not published twice.
    expect(result.ticks).toHaveLength(169);
    expect(result.skipped.filter((entry) => entry.reason.includes('duplicate'))).toHaveLength(169);
  });
});
