// npm run bench:candles — a 30-day 1h candle query on each storage flavor: on TimescaleDB from
// its continuous aggregate, against the same query over the raw ticks of the same database;
// on plain PostgreSQL over the raw ticks (its only way).
import { cpus, totalmem } from 'node:os';
import type { Tick } from '@cryptoviz/market';
import {
  createDatabase,
  dropDatabase,
  findOrStartPostgres,
  defaultStateDir,
} from '@cryptoviz/devenv';
import { candles, createPool, insertTicks, migrate, type StorageFlavor } from '@cryptoviz/store';
import { priceTick } from '@cryptoviz/testkit/ticks';
import { storageServers } from './storage-servers.ts';

const DAY = 86_400_000;
const TICKS_PER_MINUTE = Number(process.env.BENCH_TICKS_PER_MINUTE ?? 6);
const RUNS = 30;

const tick = (timeMs: number, price: number) =>
  priceTick(timeMs, price, { source: 'default/sim', provider: 'synthetic' });

/** Median milliseconds of one candle query, after a warm-up run. */
async function medianMs(query: () => Promise<unknown>): Promise<number> {
  await query();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await query();
    times.push(performance.now() - started);
  }
  return Number(times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!.toFixed(2));
}

async function measure(adminUrl: string, flavor: StorageFlavor) {
  const name = `cryptoviz_bench_candles_${process.pid}`;
  const url = await createDatabase(adminUrl, name);
  const pool = createPool(url);
  try {
    await migrate(url);
    const now = Date.now();
    const batch: Tick[] = [];
    for (let t = now - 31 * DAY; t < now; t += 60_000 / TICKS_PER_MINUTE) {
      batch.push(tick(t, 30_000 + 500 * Math.sin(t / DAY)));
      if (batch.length === 5_000) await insertTicks(pool, batch.splice(0));
    }
    await insertTicks(pool, batch);
    // What the refresh policy does on its schedule.
    if (flavor === 'timescaledb') {
      await pool.query(
        `CALL refresh_continuous_aggregate('candles_1h', NULL, now() - INTERVAL '1 hour')`,
      );
    }
    await pool.query('ANALYZE ticks');
    const range = {
      source: 'default/sim',
      symbol: 'BTC',
      interval: '1h' as const,
      from: new Date(now - 30 * DAY),
      to: new Date(now),
    };
    const raw = await medianMs(() => candles(pool, 'postgresql', range));
    const aggregate =
      flavor === 'timescaledb' ? await medianMs(() => candles(pool, flavor, range)) : null;
    return {
      flavor,
      rawMs: raw,
      aggregateMs: aggregate,
      speedup: aggregate ? Number((raw / aggregate).toFixed(1)) : null,
    };
  } finally {
    await pool.end();
    await dropDatabase(adminUrl, name);
  }
}

const plain = await findOrStartPostgres(defaultStateDir());
const servers = await storageServers(plain.adminUrl);
try {
  const results = [];
  for (const server of servers) results.push(await measure(server.adminUrl, server.flavor));
  const result = {
    bench: 'candles',
    days: 30,
    ticksPerMinute: TICKS_PER_MINUTE,
    results,
    machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    date: new Date().toISOString().slice(0, 10),
  };
  process.stdout.write(`${JSON.stringify(result)}\n\n`);
  for (const r of results) {
    process.stdout.write(
      `  ${r.flavor.padEnd(12)} raw ticks ${r.rawMs} ms${r.aggregateMs === null ? '' : `, aggregate ${r.aggregateMs} ms (${r.speedup}× faster)`}\n`,
    );
  }
} finally {
  for (const server of servers) await server.stop();
  await plain.stop();
}
