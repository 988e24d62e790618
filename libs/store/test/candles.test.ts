import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tick } from '@cryptoviz/market';
import {
  createTestDatabase,
  expectedCandles,
  priceTick,
  storageFlavors,
  type TestDatabase,
} from '@cryptoviz/testkit';
import { candles, countTicks, insertTicks, type CandleInterval } from '../src/index.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
// Session time zones that would shift any bucket origin read as local time.
const ZONES = ['UTC', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham'];
const ERAS = {
  old: Date.parse('2017-08-17T00:00:00Z'),
  recent: Math.floor((Date.now() - 3 * DAY) / DAY) * DAY,
};

const tick = (ms: number, price: number) => priceTick(ms, price);

/** A tick every `stepMs` (plus a wobble) over `days` from `start`, prices from a seeded walk. */
function series(start: number, days: number, stepMs: number, seed: number): Tick[] {
  const ticks: Tick[] = [];
  let price = 1000 + seed;
  for (let t = start + (seed % 7) * 1000, i = 0; t < start + days * DAY; t += stepMs, i++) {
    price = Math.max(1, price + (((i * 7919 + seed) % 41) - 20) / 4);
    ticks.push(tick(t + ((i * 104_729) % 50_000), price));
  }
  return ticks;
}

const rangeArb = fc.record({
  era: fc.constantFrom<keyof typeof ERAS>('old', 'recent'),
  startMs: fc.integer({ min: -2 * 60 * MINUTE, max: 3 * DAY }),
  lengthMs: fc.integer({ min: 1, max: 2 * DAY }),
  interval: fc.constantFrom<CandleInterval>('1m', '1h', '1d'),
  zone: fc.constantFrom(...ZONES),
});

describe.each(storageFlavors())('candles on %s', (flavor) => {
  let db: TestDatabase;
  const zoned = new Map<string, pg.Pool>();
  const stored = new Map<string, Tick>();

  beforeAll(async () => {
    db = await createTestDatabase(flavor);
    for (const zone of ZONES) {
      const pool = new pg.Pool({ connectionString: db.url, options: `-c TimeZone=${zone}` });
      // pool.end() resolves before its connections have closed, and dropping the database ends
      // those with an error: a pool with no listener would throw it at the test run.
      pool.on('error', () => undefined);
      zoned.set(zone, pool);
    }
  });
  afterAll(async () => {
    for (const pool of zoned.values()) await pool.end();
    await db.drop();
  });

  async function write(ticks: readonly Tick[]): Promise<void> {
    await insertTicks(db.pool, ticks);
    for (const t of ticks) if (!stored.has(t.time)) stored.set(t.time, t);
  }

  /** Any range, in any session time zone, gives the candles the ticks make. */
  async function candlesAreRight(): Promise<void> {
    const all = [...stored.values()];
    await fc.assert(
      fc.asyncProperty(rangeArb, async ({ era, startMs, lengthMs, interval, zone }) => {
        const from = new Date(ERAS[era] + startMs);
        const query = { source: 'replay', symbol: 'BTC', interval, from };
        const full = { ...query, to: new Date(from.getTime() + lengthMs) };
        expect(await candles(zoned.get(zone)!, flavor, full)).toEqual(expectedCandles(all, full));
      }),
      { numRuns: 40 },
    );
  }

  /** TimescaleDB only: what its jobs would do, run from this session (see docs/DESIGN.md). */
  async function runRefreshPolicies(): Promise<void> {
    if (flavor !== 'timescaledb') return;
    const refreshJobs = await db.pool.query<{ job_id: number }>(
      "SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = 'policy_refresh_continuous_aggregate'",
    );
    expect(refreshJobs.rows).toHaveLength(3);
    for (const { job_id } of refreshJobs.rows) await db.pool.query('CALL run_job($1)', [job_id]);
  }

  it('are the same from the first ticks, history and recent, before any refresh', async () => {
    await write([...series(ERAS.old, 2, 7 * MINUTE, 1), ...series(ERAS.recent, 3, 9 * MINUTE, 2)]);
    await candlesAreRight();
  });

  it('stay right once the aggregates are refreshed by their policies', async () => {
    await runRefreshPolicies();
    await candlesAreRight();
  });

  it('take in late ticks, older than any refresh window, at once', async () => {
    // Into buckets already materialized, and into new ones, in 2017 and in the last days.
    await write([
      ...series(ERAS.old, 2, 61 * MINUTE, 3),
      ...series(ERAS.recent, 2, 53 * MINUTE, 4),
    ]);
    await candlesAreRight();
    await runRefreshPolicies();
    await candlesAreRight();
  });

  it('store each tick once when late ticks and redeliveries land in compressed chunks', async () => {
    if (flavor === 'timescaledb') {
      const compressed = await db.pool.query(
        "SELECT compress_chunk(chunk, if_not_compressed => true) FROM show_chunks('ticks') AS chunk",
      );
      expect(compressed.rowCount).toBeGreaterThan(0);
    }
    const redelivered = [...stored.values()].filter((_, i) => i % 5 === 0);
    const late = [
      ...series(ERAS.old, 1, 89 * MINUTE, 5),
      ...series(ERAS.recent, 1, 97 * MINUTE, 6),
    ];
    const fresh = late.filter((t) => !stored.has(t.time));
    expect(await insertTicks(db.pool, [...redelivered, ...late])).toBe(fresh.length);
    expect(await insertTicks(db.pool, [...redelivered, ...late])).toBe(0);
    for (const t of late) if (!stored.has(t.time)) stored.set(t.time, t);
    expect(await countTicks(db.pool)).toBe(stored.size);
    await candlesAreRight();
  });
});
