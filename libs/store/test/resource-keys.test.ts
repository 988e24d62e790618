import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, storageFlavors, type TestDatabase } from '@cryptoviz/testkit';
import { candles, latestTicks, migrate } from '../src/index.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-01-06T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

/** Rows as a database before resource keys held them: sources and models by name alone. */
async function writeRowsOfNames(db: TestDatabase): Promise<void> {
  for (let h = 0; h < 6; h++) {
    await db.pool.query(
      `INSERT INTO ticks (time, source, symbol, provider, quote, price)
       VALUES ($1, 'binance', 'BTC', 'synthetic', 'USD', $2),
              ($1, 'team-a/binance', 'BTC', 'synthetic', 'USD', $3)`,
      [at(h), 100 + h, 900 + h],
    );
  }
  await db.pool.query(
    `INSERT INTO latest_ticks (source, symbol, time, provider, quote, price)
     VALUES ('binance', 'BTC', $1, 'synthetic', 'USD', 105)`,
    [at(5)],
  );
  await db.pool.query(
    `INSERT INTO predictions (model, source, symbol, horizon_s, made_at, target_at, algorithm,
       origin_price, point, lower, upper, confidence, signal)
     VALUES ('naive-btc', 'binance', 'BTC', 3600, $1, $2, 'naive', 100, 101, 99, 103, 0.8, 'HOLD')`,
    [at(1), at(2)],
  );
}

describe.each(storageFlavors())('resource keys migration on %s', (flavor) => {
  const dbs: TestDatabase[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.drop();
  });

  it('rewrites rows of names to default/<name>, keeps keyed rows, and candles follow', async () => {
    const db = await createTestDatabase(flavor);
    dbs.push(db);
    await writeRowsOfNames(db);
    if (flavor === 'timescaledb') {
      // Materialize the old names' candles and compress the chunks: both must follow.
      for (const view of ['candles_1m', 'candles_1h', 'candles_1d']) {
        await db.pool.query(`CALL refresh_continuous_aggregate('${view}', NULL, NULL)`);
      }
      const compressed = await db.pool.query(
        "SELECT compress_chunk(c, if_not_compressed => true) FROM show_chunks('ticks') c",
      );
      expect(compressed.rowCount).toBeGreaterThan(0);
    }
    // As if this database were migrated before the keys migration existed.
    await db.pool.query(
      "DELETE FROM cryptoviz_migrations WHERE name = '1763840000000_resource-keys'",
    );
    await migrate(db.url);
    await migrate(db.url); // once more: nothing left to rewrite, nothing rewritten twice

    const sources = await db.pool.query<{ source: string; n: string }>(
      'SELECT source, count(*) AS n FROM ticks GROUP BY source ORDER BY source',
    );
    expect(sources.rows).toEqual([
      { source: 'default/binance', n: '6' },
      { source: 'team-a/binance', n: '6' },
    ]);
    expect((await latestTicks(db.pool)).map((t) => t.source)).toEqual(['default/binance']);
    const predictions = await db.pool.query('SELECT model, source FROM predictions');
    expect(predictions.rows).toEqual([{ model: 'default/naive-btc', source: 'default/binance' }]);

    const query = {
      symbol: 'BTC',
      interval: '1h',
      from: new Date(T0),
      to: new Date(at(6)),
    } as const;
    const ours = await candles(db.pool, flavor, { ...query, source: 'default/binance' });
    const theirs = await candles(db.pool, flavor, { ...query, source: 'team-a/binance' });
    expect(ours.map((c) => c.close)).toEqual([100, 101, 102, 103, 104, 105]);
    expect(theirs.map((c) => c.close)).toEqual([900, 901, 902, 903, 904, 905]);
    expect(await candles(db.pool, flavor, { ...query, source: 'binance' })).toEqual([]);
  });
});
