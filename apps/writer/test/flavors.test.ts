import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeJson, publishTicks, tickMessages } from '@cryptoviz/bus';
import { tickId, type Tick } from '@cryptoviz/market';
import { candles, countTicks, type CandleInterval } from '@cryptoviz/store';
import {
  createTestBus,
  createTestDatabase,
  eventually,
  expectedCandles,
  priceTick,
  storageFlavors,
  type TestBus,
  type TestDatabase,
} from '@cryptoviz/testkit';
import type { Writer } from '../src/writer.ts';
import { startTestWriter } from './support.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const tick = (symbol: string, ms: number, price: number) => priceTick(ms, price, { symbol });

/** Ticks of a symbol every `stepMs` over `spanMs` from `start`, seconds not round. */
const run = (symbol: string, start: number, spanMs: number, stepMs: number, base: number) =>
  Array.from({ length: Math.floor(spanMs / stepMs) }, (_, i) =>
    tick(symbol, start + i * stepMs + ((i * 7_919) % 59_000), base + ((i * 31) % 17)),
  );

describe.each(storageFlavors())('writer on %s', (flavor) => {
  let bus: TestBus;
  let db: TestDatabase;
  let writer: Writer;
  const stored = new Map<string, Tick>();

  beforeEach(async () => {
    [bus, db] = await Promise.all([createTestBus(), createTestDatabase(flavor)]);
    writer = await startTestWriter(bus, db);
  });
  afterEach(async () => {
    await writer.stop();
    await Promise.all([bus.drop(), db.drop()]);
  });

  const key = (t: Tick) => `${t.symbol}@${t.time}`;
  async function publish(ticks: Tick[]): Promise<void> {
    await publishTicks(bus.nc, bus.topo, ticks);
    for (const t of ticks) if (!stored.has(key(t))) stored.set(key(t), t);
    // The writer counts a batch once insertTicks returns, candle refresh included: waiting
    // on the row count alone would read candles while a late batch is still refreshing.
    await eventually(
      async () => writer.counters().stored,
      (n) => n === stored.size,
    );
    expect(await countTicks(db.pool)).toBe(stored.size);
  }

  async function candlesMatch(symbol: string, interval: CandleInterval, from: number, to: number) {
    const query = { source: 'replay', symbol, interval, from: new Date(from), to: new Date(to) };
    expect(await candles(db.pool, flavor, query)).toEqual(
      expectedCandles([...stored.values()], query),
    );
  }

  it('stores live, replayed and late ticks exactly once, compressed chunks included, and their candles follow', async () => {
    const live = Math.floor(Date.now() / HOUR) * HOUR - 20 * HOUR;
    const replayed = Date.parse('2017-09-01T00:00:00Z');
    await publish([
      ...run('BTC', live, 19 * HOUR, 5 * MINUTE, 4_000),
      ...run('ETH', replayed, 4 * DAY, 30 * MINUTE, 300),
    ]);
    await candlesMatch('BTC', '1h', live + 7 * MINUTE, live + 19 * HOUR);
    await candlesMatch('ETH', '1d', replayed, replayed + 4 * DAY);

    if (flavor === 'timescaledb') {
      for (const view of ['candles_1m', 'candles_1h', 'candles_1d']) {
        await db.pool.query(
          `CALL refresh_continuous_aggregate('${view}', NULL, now() - INTERVAL '1 day')`,
        );
      }
      await db.pool.query(
        "SELECT compress_chunk(c, if_not_compressed => true) FROM show_chunks('ticks') c",
      );
    }
    // Late ticks into compressed, materialized history, and a redelivery JetStream cannot
    // recognize (a new msg id): each tick is stored once, the candles take in the new ones.
    const late = [
      ...run('ETH', replayed + 11 * MINUTE, 3 * DAY, 97 * MINUTE, 320),
      ...run('BTC', live + 2 * MINUTE, 6 * HOUR, 41 * MINUTE, 4_100),
    ];
    const again = [...stored.values()].filter((_, i) => i % 9 === 0);
    for (const t of again) {
      await bus.js.publish(tickMessages(bus.topo, [t])[0]!.subject, encodeJson(t), {
        msgID: `${tickId(t)}:redelivered`,
      });
    }
    await publish(late);
    await eventually(
      async () => writer.counters().duplicate,
      (n) => n >= again.length,
    );
    expect(await countTicks(db.pool)).toBe(stored.size);
    await candlesMatch('ETH', '1h', replayed + 30 * MINUTE, replayed + 3 * DAY + 1);
    await candlesMatch('ETH', '1d', replayed - 1, replayed + 4 * DAY);
    await candlesMatch('BTC', '1m', live + 59_000, live + 7 * HOUR);
  });
});
