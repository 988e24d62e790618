import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tick } from '@cryptoviz/market';
import { insertTicks, type CandleInterval } from '@cryptoviz/store';
import { expectedCandles, priceTick, storageFlavors } from '@cryptoviz/testkit';
import { startTestGateway, type TestGateway } from './support.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const tick = (ms: number, price: number) => priceTick(ms, price, { symbol: 'ETH' });

/** Ticks every `stepMs` over `spanMs` from `start`, with seconds that are not round. */
const ticksFrom = (start: number, spanMs: number, stepMs: number, base: number) =>
  Array.from({ length: Math.floor(spanMs / stepMs) }, (_, i) =>
    tick(start + i * stepMs + ((i * 7_919) % 59_000), base + ((i * 37) % 23)),
  );

describe.each(storageFlavors())('markets.candles on %s', (flavor) => {
  let gw: TestGateway;
  const stored: Tick[] = [];
  const recent = Math.floor(Date.now() / HOUR) * HOUR - 30 * HOUR;
  const replayed = Date.parse('2018-03-01T00:00:00Z');

  beforeAll(async () => {
    gw = await startTestGateway({}, flavor);
  });
  afterAll(async () => {
    await gw.stop();
  });

  async function write(ticks: Tick[]): Promise<void> {
    await insertTicks(gw.db.pool, ticks);
    const seen = new Set(stored.map((t) => t.time));
    stored.push(...ticks.filter((t) => !seen.has(t.time)));
  }

  async function answersMatch(): Promise<void> {
    const ranges: [CandleInterval, number, number][] = [
      ['1h', recent + 17 * MINUTE, recent + 26 * HOUR + 5 * MINUTE],
      ['1m', recent + 3 * HOUR + 30_000, recent + 5 * HOUR - 1],
      ['1d', replayed - HOUR, replayed + 3 * 24 * HOUR + 1],
      ['1h', replayed + 90 * MINUTE, replayed + 40 * HOUR],
    ];
    for (const [interval, from, to] of ranges) {
      const query = {
        source: 'default/replay',
        symbol: 'ETH',
        interval,
        from: new Date(from),
        to: new Date(to),
      };
      const answer = await gw.client.markets.candles.query({
        ...query,
        from: query.from.toISOString(),
        to: query.to.toISOString(),
      });
      expect(answer).toEqual(expectedCandles(stored, query));
    }
  }

  it('serves whole candles of live and replayed ticks for ranges off bucket boundaries', async () => {
    await write([
      ...ticksFrom(recent, 28 * HOUR, 10 * MINUTE, 3_000),
      ...ticksFrom(replayed, 3 * 24 * HOUR, 20 * MINUTE, 850),
    ]);
    await answersMatch();
  });

  it('serves late ticks into candles already materialized', async () => {
    if (flavor === 'timescaledb') {
      await gw.db.pool.query(
        `CALL refresh_continuous_aggregate('candles_1m', NULL, now() - INTERVAL '1 minute')`,
      );
      await gw.db.pool.query(
        `CALL refresh_continuous_aggregate('candles_1h', NULL, now() - INTERVAL '1 hour')`,
      );
      await gw.db.pool.query(
        `CALL refresh_continuous_aggregate('candles_1d', NULL, now() - INTERVAL '1 day')`,
      );
    }
    await write([
      ...ticksFrom(recent + 3 * MINUTE, 20 * HOUR, 47 * MINUTE, 3_100),
      ...ticksFrom(replayed + 5 * MINUTE, 2 * 24 * HOUR, 71 * MINUTE, 900),
    ]);
    await answersMatch();
  });

  it('tells the Database card its flavor, and on TimescaleDB its chunks and compression', async () => {
    if (flavor === 'timescaledb') {
      await gw.db.pool.query(
        "SELECT compress_chunk(c, if_not_compressed => true) FROM show_chunks('ticks', older_than => now() - INTERVAL '300 days') c",
      );
    }
    const { database } = await gw.client.health.pipeline.query();
    expect(database.flavor).toBe(flavor);
    if (flavor === 'postgresql') {
      expect(database).toMatchObject({
        chunks: null,
        compressedChunks: null,
        compressionRatio: null,
      });
    } else {
      // Three days of 2018 and two of now: a chunk a day, the 2018 ones compressed.
      expect(database.chunks).toBeGreaterThanOrEqual(5);
      expect(database.compressedChunks).toBe(3);
      expect(database.compressionRatio).toBeGreaterThan(1);
    }
  });
});
