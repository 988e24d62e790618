import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tick } from '@cryptoviz/market';
import { createTestDatabase, storageFlavors, type TestDatabase } from '@cryptoviz/testkit';
import {
  candles,
  countTicks,
  detectFlavor,
  insertTicks,
  latestTicks,
  migrate,
} from '../src/index.ts';

function tick(symbol: string, time: string, price: number, source = 'bin'): Tick {
  return {
    source,
    provider: 'binance',
    symbol,
    quote: 'USD',
    price,
    volume24h: 1000,
    marketCap: null,
    change24hPct: 1.5,
    time,
  };
}

describe.each(storageFlavors())('tick storage on %s', (flavor) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(flavor);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('migrates idempotently and detects its flavor', async () => {
    await expect(migrate(db.url)).resolves.toBe(flavor);
    await expect(detectFlavor(db.pool)).resolves.toBe(flavor);
  });

  it('stores each tick once by its natural key and keeps the latest per source and symbol', async () => {
    const batch = [
      tick('BTC', '2024-01-01T00:00:00.000Z', 100),
      tick('BTC', '2024-01-01T00:00:30.000Z', 110),
      tick('BTC', '2024-01-01T00:00:30.000Z', 110), // duplicate inside one batch
      tick('ETH', '2024-01-01T00:00:10.000Z', 10),
      tick('BTC', '2024-01-01T00:00:20.000Z', 105, 'cg'),
    ];
    expect(await insertTicks(db.pool, batch)).toBe(4);
    expect(await insertTicks(db.pool, batch)).toBe(0);
    // An older tick arriving late must not move "latest" backwards.
    await insertTicks(db.pool, [tick('BTC', '2023-12-31T23:59:00.000Z', 90)]);
    expect(await countTicks(db.pool)).toBe(5);

    const latest = await latestTicks(db.pool);
    expect(latest.map((t) => [t.source, t.symbol, t.price, t.time])).toEqual([
      ['bin', 'BTC', 110, '2024-01-01T00:00:30.000Z'],
      ['cg', 'BTC', 105, '2024-01-01T00:00:20.000Z'],
      ['bin', 'ETH', 10, '2024-01-01T00:00:10.000Z'],
    ]);
    const onlyCg = await latestTicks(db.pool, { sources: ['cg'] });
    expect(onlyCg).toHaveLength(1);
    expect(onlyCg[0]).toMatchObject({ symbol: 'BTC', change24hPct: 1.5, volume24h: 1000 });
  });

  it('builds OHLC candles for a range', async () => {
    await insertTicks(db.pool, [
      tick('SOL', '2024-02-01T10:00:05.000Z', 20, 's'),
      tick('SOL', '2024-02-01T10:00:50.000Z', 25, 's'),
      tick('SOL', '2024-02-01T10:00:20.000Z', 18, 's'),
      tick('SOL', '2024-02-01T10:01:10.000Z', 22, 's'),
      tick('SOL', '2024-02-01T11:30:00.000Z', 30, 's'),
    ]);
    const minute = await candles(db.pool, flavor, {
      source: 's',
      symbol: 'SOL',
      interval: '1m',
      from: new Date('2024-02-01T10:00:00Z'),
      to: new Date('2024-02-01T11:00:00Z'),
    });
    expect(minute).toEqual([
      { time: '2024-02-01T10:00:00.000Z', open: 20, high: 25, low: 18, close: 25, ticks: 3 },
      { time: '2024-02-01T10:01:00.000Z', open: 22, high: 22, low: 22, close: 22, ticks: 1 },
    ]);
    const hourly = await candles(db.pool, flavor, {
      source: 's',
      symbol: 'SOL',
      interval: '1h',
      from: new Date('2024-02-01T00:00:00Z'),
      to: new Date('2024-02-02T00:00:00Z'),
    });
    expect(hourly.map((c) => [c.time, c.open, c.close, c.ticks])).toEqual([
      ['2024-02-01T10:00:00.000Z', 20, 22, 4],
      ['2024-02-01T11:00:00.000Z', 30, 30, 1],
    ]);
  });
});
