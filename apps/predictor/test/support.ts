import { readOhlcvCsv, type Bar, type Tick } from '@cryptoviz/market';
import { predictionModelSpecSchema } from '@cryptoviz/resources';
import { createLogger, createRegistry } from '@cryptoviz/runtime';
import {
  createTestBus,
  createTestDatabase,
  type TestBus,
  type TestDatabase,
} from '@cryptoviz/testkit';
import { startPredictor, type Predictor, type PredictorOptions } from '../src/index.ts';

export const HOUR = 3_600_000;

/** Real hourly BTC closes (2017–2020): deterministic ticks, one per bar. */
export const allBars = await readOhlcvCsv('data/market/binance-btcusdt-1h.csv');

export const spec = predictionModelSpecSchema.parse({
  algorithm: 'movingAverage',
  params: { window: 5 },
  symbols: ['BTC'],
  horizons: ['1h', '6h'],
  interval: '1h',
});

export const ticksOf = (bars: readonly Bar[]): Tick[] =>
  bars.map((bar) => ({
    source: 'default/replay-btc',
    provider: 'replay',
    symbol: 'BTC',
    quote: 'USDT',
    price: bar.close,
    volume24h: null,
    marketCap: null,
    change24hPct: null,
    time: new Date(bar.time).toISOString(),
  }));

/** Every stored forecast, in a comparable order. */
export const stored = async (db: TestDatabase) =>
  (
    await db.pool.query(
      `SELECT horizon_s, made_at, target_at, point, lower, upper, confidence, signal, realized
       FROM predictions ORDER BY horizon_s, made_at`,
    )
  ).rows;

export const storedCount = async (db: TestDatabase) =>
  Number((await db.pool.query('SELECT count(*) FROM predictions')).rows[0].count);

export const publishedInStream = async (bus: TestBus) =>
  (await bus.jsm.streams.info(bus.topo.streams.predictions)).state.messages;

/** A stream namespace and a database of a test's own. */
export interface Env {
  bus: TestBus;
  db: TestDatabase;
}

export async function createEnv(): Promise<Env> {
  const [bus, db] = await Promise.all([createTestBus(), createTestDatabase()]);
  return { bus, db };
}

export const dropEnv = async ({ bus, db }: Env) => {
  await Promise.all([bus.drop(), db.drop()]);
};

/** Starts a worker of the sample model on `env`, added to `running` for the test to stop. */
export const startOn = (
  { bus, db }: Env,
  running: Predictor[],
  overrides: Partial<PredictorOptions> = {},
) =>
  startPredictor({
    nc: bus.nc,
    topo: bus.topo,
    pool: db.pool,
    log: createLogger('predictor-test', 'silent'),
    registry: createRegistry('predictor'),
    model: 'default/ma5',
    spec,
    symbols: ['BTC'],
    resumeLookbackMs: 10 * 60_000,
    ...overrides,
  }).then((p) => (running.push(p), p));
