import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixtureServer } from '../fixture-server.ts';
import { krakenPairStyle } from '../../src/providers/kraken.ts';
import { PairBook } from '../../src/providers/http/pairs.ts';
import { expectValidTicks, makeProvider, parseFixture, signal } from './helpers.ts';

describe('kraken: parsing recorded payloads', () => {
  it('reads the ticker: last trade price, 24 h volume valued at the 24 h VWAP', () => {
    const result = parseFixture('kraken', 'ticker--ccxt-static-2024-03.json', {
      quote: 'USDT',
      now: Date.parse('2024-03-13T12:00:00Z'),
    });
    expect(result.shape).toBe('Ticker');
    expect(result.ticks).toHaveLength(1);
    const [tick] = result.ticks;
    expect(tick).toMatchObject({
      symbol: 'BTC',
      quote: 'USDT',
      price: 73380.6,
      change24hPct: null,
    });
    // v[1] = 598.03698452 BTC over 24 h at p[1] = 71501.57520 USDT.
    expect(tick!.volume24h).toBeCloseTo(598.03698452 * 71501.5752, 4);
    // The ticker has no timestamp of its own: the time of the response stands in.
    expect(tick!.time).toBe('2024-03-13T12:00:00.000Z');
  });

  it('finds XXBTZUSD when asked for BTC in USD (Kraken renames pairs in results)', () => {
    const result = parseFixture('kraken', 'ohlc--kraken-docs-example-via-purple-goctopus.json', {
      symbols: ['BTC'],
    });
    expect(result.shape).toBe('OHLC');
    // Rows are one minute apart; each tick is at its candle's close.
    expect(result.ticks.map((tick) => [tick.time, tick.price])).toEqual([
      [new Date((1688671200 + 60) * 1000).toISOString(), 30305.7],
      [new Date((1688671260 + 60) * 1000).toISOString(), 30300.0],
      [new Date((1688671320 + 60) * 1000).toISOString(), 30291.4],
      [new Date((1688671380 + 60) * 1000).toISOString(), 30295.0],
    ]);
  });

  it('maps result keys back without being told the symbols', () => {
    const usdc = parseFixture('kraken', 'ohlc-usdcusd-1m--polimec-oracle-mock-2023-11-14.json');
    expect(new Set(usdc.ticks.map((tick) => tick.symbol))).toEqual(new Set(['USDC']));
    expect(usdc.ticks).toHaveLength(10);
    const btc = parseFixture('kraken', 'ohlc--ccxt-static-2024-01-30.json', { quote: 'USDT' });
    expect(btc.ticks[0]).toMatchObject({ symbol: 'BTC', price: 43361.1 });
    // Hourly rows with a gap (the capture was trimmed): the spacing is still one hour.
    expect(btc.ticks[0]!.time).toBe(new Date((1706626800 + 3600) * 1000).toISOString());
  });

  it('tells legacy names from assets that merely end in X or Z', () => {
    const usd = new PairBook(krakenPairStyle, {}, 'USD');
    expect(usd.symbolOf('XXBTZUSD')).toBe('BTC');
    expect(usd.symbolOf('XETHZUSD')).toBe('ETH');
    expect(usd.symbolOf('XBTUSD')).toBe('BTC');
    // Tezos and Zcash, not "XT" in ZUSD and "ZE" in ZUSD.
    expect(usd.symbolOf('XTZUSD')).toBe('XTZ');
    expect(usd.symbolOf('XZECZUSD')).toBe('ZEC');
    expect(usd.symbolOf('SOLUSD')).toBe('SOL');
    expect(new PairBook(krakenPairStyle, {}, 'XBT').symbolOf('XETHXXBT')).toBe('ETH');
  });

  it('skips pairs in another quote instead of mislabelling them', () => {
    const result = parseFixture('kraken', 'ticker--ccxt-static-2024-03.json', { quote: 'USD' });
    expect(result.ticks).toEqual([]);
    expect(result.skipped).toEqual([
      { symbol: 'XBTUSDT', reason: expect.stringContaining('not a USD pair') },
    ]);
  });

  it('honours a symbolMap that names the whole pair', () => {
    const result = parseFixture('kraken', 'ohlc--kraken-docs-example-via-purple-goctopus.json', {
      symbols: ['BITCOIN'],
      symbolMap: { BITCOIN: 'XXBTZUSD' },
    });
    expect(result.ticks).toHaveLength(4);
    expect(result.ticks[0]!.symbol).toBe('BITCOIN');
  });

  it('takes a pair in another quote asset written BASE/QUOTE', () => {
    const result = parseFixture('kraken', 'ticker--ccxt-static-2024-03.json', {
      symbols: ['BTC'],
      symbolMap: { BTC: 'XBT/USDT' },
    });
    expect(result.ticks).toMatchObject([{ symbol: 'BTC', quote: 'USD', price: 73380.6 }]);
  });

  it('classifies "EQuery:Unknown asset pair" (sent with HTTP 200) as unknown-symbol', () => {
    expect(() =>
      parseFixture('kraken', 'error-unknown-asset-pair--polimec-oracle-mock-2023.json'),
    ).toThrow(expect.objectContaining({ kind: 'unknown-symbol' }));
  });
});

describe('kraken: live calls against the fixture server', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await FixtureServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('requests XBT pairs and reads the ticker', async () => {
    server.on('/0/public/Ticker', { fixture: 'kraken/ticker--ccxt-static-2024-03.json' });
    const { provider } = makeProvider('kraken', {
      symbols: ['BTC'],
      quote: 'USDT',
      endpoint: server.url,
    });
    const result = await provider.poll(signal());
    expectValidTicks(result);
    expect(result.ticks).toMatchObject([
      { symbol: 'BTC', price: 73380.6, source: 'default/kraken-test' },
    ]);
    expect(server.requests[0]!.query.get('pair')).toBe('XBTUSDT');
  });

  it('stamps ticker ticks when the response arrived, after any rate-limit wait', async () => {
    server.on('/0/public/Ticker', { fixture: 'kraken/ticker--ccxt-static-2024-03.json' });
    const { provider, clock } = makeProvider('kraken', {
      symbols: ['BTC'],
      quote: 'USDT',
      endpoint: server.url,
      rateLimit: { requestsPerMinute: 4 },
    });
    for (let i = 0; i < 3; i++) await provider.poll(signal()); // Kraken's burst of 3
    const start = clock.now();
    const result = await provider.poll(signal()); // waits 15 s for the bucket
    expect(clock.sleeps).toEqual([15_000]);
    expect(result.ticks[0]!.time).toBe(new Date(start + 15_000).toISOString());
  });

  it('reports an unknown pair that arrives with HTTP 200 as unknown-symbol', async () => {
    server.on('/0/public/Ticker', {
      fixture: 'kraken/error-unknown-asset-pair--polimec-oracle-mock-2023.json',
    });
    const { provider } = makeProvider('kraken', { symbols: ['NOPE'], endpoint: server.url });
    await expect(provider.poll(signal())).rejects.toMatchObject({ kind: 'unknown-symbol' });
    expect(server.requests).toHaveLength(1);
    expect(provider.stats().lastError).toMatchObject({ kind: 'unknown-symbol' });
  });

  it('backfills OHLC at an interval that fits 720 candles', async () => {
    server.on('/0/public/OHLC', {
      fixture: 'kraken/ohlc--kraken-docs-example-via-purple-goctopus.json',
    });
    const { provider, clock } = makeProvider('kraken', { symbols: ['BTC'], endpoint: server.url });
    const result = await provider.backfill!(6, signal());
    expectValidTicks(result);
    expect(result.ticks).toHaveLength(4);
    const query = server.requests[0]!.query;
    expect(query.get('pair')).toBe('XBTUSD');
    expect(query.get('interval')).toBe('1');
    expect(Number(query.get('since'))).toBe(Math.floor((clock.now() - 6 * 3_600_000) / 1000));
  });
});
