/**
 * The data plane as real processes on servers of its own, fed by a deterministic replay, for
 * the fault suite and the recovery bench: a fetcher replaying real Binance candles, writers and
 * a predictor under the local ProcessBackend (which restarts what dies, as a Deployment does),
 * its own nats-server and PostgreSQL (which it may crash), and exact expectations to count
 * against. Free of vitest, so bench/ uses it too.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import { decodeJson, decodeTicks, declareBusInfrastructure, topology } from '@cryptoviz/bus';
import {
  createDatabase,
  startOwnNats,
  startOwnPostgres,
  type OwnNats,
  type OwnPostgres,
} from '@cryptoviz/devenv';
import { predictionId, predictionRecordSchema } from '@cryptoviz/forecast';
import { parseOhlcvCsv } from '@cryptoviz/market';
import { BarBuilder, SeriesForecaster, toModelSpec } from '@cryptoviz/predictor';
import {
  API_VERSION,
  cryptoSourceSchema,
  DEFAULT_NAMESPACE,
  resourceKey,
  parseDuration,
  predictionModelSchema,
  type CryptoSource,
  type PredictionModel,
} from '@cryptoviz/resources';
import { createPool, migrate } from '@cryptoviz/store';
import {
  freePort,
  planModel,
  planSource,
  planWriters,
  ProcessBackend,
  type Workload,
} from '@cryptoviz/workloads';

const require = createRequire(import.meta.url);
const ENTRIES = {
  fetcher: require.resolve('@cryptoviz/fetcher/main'),
  writer: require.resolve('@cryptoviz/writer/main'),
  predictor: require.resolve('@cryptoviz/predictor/main'),
};
const MARKET_DATA = new URL('../../data/market/', import.meta.url);
const SYMBOL_FILES = { BTC: 'binance-btcusdt-1h.csv', ETH: 'binance-ethusdt-1h.csv' } as const;

export const SOURCE = 'replay-faults';
export const MODEL = 'holt-faults';
/** The manifests name no namespace: their resources are in `default`. */
const SOURCE_KEY = resourceKey({ namespace: DEFAULT_NAMESPACE, name: SOURCE });
const MODEL_KEY = resourceKey({ namespace: DEFAULT_NAMESPACE, name: MODEL });

export interface PipelineOptions {
  /** Hourly bars replayed per symbol (BTC and ETH), from the start of the files. */
  bars?: number;
  /** Wall time the whole replay takes once the fetcher runs. */
  replaySeconds?: number;
  /** Writers sharing the durable consumer. */
  writers?: number;
  /** Where the workers' logs and the servers' data go (default: a new temp folder). */
  stateDir?: string;
}

/** What an undisturbed run yields: every replayed tick, and every forecast the model makes. */
export interface Expected {
  ticks: Set<string>;
  predictions: Set<string>;
}

/** What the run yielded, counted every way a loss or a double would show. */
export interface Observed {
  /** Distinct (source, symbol, time) rows in the ticks table (its primary key). */
  ticksStored: Set<string>;
  /** Every tick in the TICKS stream, with repeats: a tick published twice is here twice. */
  ticksInStream: string[];
  /** Prediction keys in the predictions table. */
  predictionsStored: Set<string>;
  /** Every prediction in the PREDICTIONS stream, with repeats. */
  predictionsInStream: string[];
}

export const tickKey = (t: { source: string; symbol: string; time: string }) =>
  `${t.source}:${t.symbol}:${new Date(t.time).toISOString()}`;

/**
 * The first `bars` rows of each market file, written under the data directory (replay paths
 * must be relative to it); returns the relative paths, by symbol.
 */
function sliceMarketData(dataDir: string, bars: number): Record<string, string> {
  const folder = join('.cryptoviz', 'faults', randomBytes(4).toString('hex'));
  mkdirSync(join(dataDir, folder), { recursive: true });
  return Object.fromEntries(
    Object.entries(SYMBOL_FILES).map(([symbol, file]) => {
      const lines = readFileSync(new URL(file, MARKET_DATA), 'utf8').split('\n');
      writeFileSync(join(dataDir, folder, file), `${lines.slice(0, bars + 1).join('\n')}\n`);
      return [symbol, join(folder, file)];
    }),
  );
}

const manifest = (kind: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: API_VERSION,
  kind,
  metadata: { name },
  spec,
});

function resources(data: Record<string, string>, speed: number) {
  const source: CryptoSource = cryptoSourceSchema.parse(
    manifest('CryptoSource', SOURCE, {
      provider: 'replay',
      symbols: Object.keys(data),
      quote: 'USDT',
      interval: '1s',
      // One shard per symbol: a killed fetcher leaves the other symbol flowing.
      maxSymbolsPerWorker: 1,
      replay: { data, speed, loop: false, align: 'original' },
    }),
  );
  const model: PredictionModel = predictionModelSchema.parse(
    manifest('PredictionModel', MODEL, {
      algorithm: 'holt',
      symbols: Object.keys(data),
      sources: [SOURCE],
      interval: '1h',
      horizons: ['1h', '6h'],
    }),
  );
  return { source, model };
}

/**
 * The forecasts an undisturbed predictor makes on these bars, by the predictor's own bar and
 * series code: event time makes them a function of the ticks alone.
 */
function expectedFrom(
  dataDir: string,
  data: Record<string, string>,
  model: PredictionModel,
): Expected {
  const ticks = new Set<string>();
  const predictions = new Set<string>();
  const barMs = parseDuration(model.spec.interval);
  for (const [symbol, path] of Object.entries(data)) {
    const bars = parseOhlcvCsv(readFileSync(join(dataDir, path), 'utf8'), path);
    const builder = new BarBuilder(barMs);
    const series = new SeriesForecaster(
      { model: MODEL_KEY, algorithm: model.spec.algorithm, source: SOURCE_KEY, symbol },
      toModelSpec(model.spec),
      barMs,
      model.spec.horizons.map(parseDuration),
      model.spec.signal,
    );
    for (const bar of bars) {
      ticks.add(tickKey({ source: SOURCE_KEY, symbol, time: new Date(bar.time).toISOString() }));
      for (const closed of builder.push(bar.time, bar.close)) {
        for (const p of series.onBar(closed).predictions) predictions.add(predictionId(p));
      }
    }
  }
  return { ticks, predictions };
}

export interface Pipeline {
  nats: OwnNats;
  postgres: OwnPostgres;
  databaseUrl: string;
  pool: pg.Pool;
  nc: NatsConnection;
  jsm: JetStreamManager;
  expected: Expected;
  workloads: Workload[];
  stateDir: string;
  /** Starts every worker (the fetchers last, so the replay's clock starts with them all up). */
  start(): Promise<void>;
  /** The pid a workload runs as now (a restart changes it). */
  pidOf(name: string): number | undefined;
  restartsOf(name: string): number;
  /** kill -9 of one worker; the backend restarts it, as a Deployment would. */
  kill(name: string): Promise<number>;
  observe(): Promise<Observed>;
  /** Rows in the ticks table, cheaply: for waiting on progress. */
  storedTickCount(): Promise<number>;
  stop(): Promise<void>;
}

export async function startPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const bars = options.bars ?? 1_000;
  const replaySeconds = options.replaySeconds ?? 20;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'cryptoviz-faults-'));
  // PostgreSQL runs as its own user where we are root: it must get through to its data.
  chmodSync(stateDir, 0o755);
  const dataDir = process.cwd();
  const data = sliceMarketData(dataDir, bars);
  const { source, model } = resources(data, (bars * 3_600) / replaySeconds);
  const expected = expectedFrom(dataDir, data, model);

  const sliceFolder = join(dataDir, dirname(Object.values(data)[0]!));
  const topo = topology('');
  // What started so far is stopped again when a later step fails.
  const undo: (() => Promise<unknown>)[] = [
    async () => rmSync(sliceFolder, { recursive: true, force: true }),
  ];
  const { nats, postgres, databaseUrl, pool, nc, jsm } = await (async () => {
    const nats = await startOwnNats({ port: await freePort(), storeDir: join(stateDir, 'nats') });
    undo.push(() => nats.stop());
    const postgres = await startOwnPostgres({
      port: await freePort(),
      dataDir: join(stateDir, 'postgres', 'data'),
      // A process crash loses nothing the kernel holds; durability against power loss is not
      // what this suite tests, and fsync on a shared 2-core machine only makes it slower.
      settings: { fsync: 'off' },
    });
    undo.push(() => postgres.stop());
    const databaseUrl = await createDatabase(postgres.adminUrl, 'cryptoviz');
    await migrate(databaseUrl);
    const pool = createPool(databaseUrl);
    undo.push(() => pool.end());
    // Reconnects forever, like the workers: the suite's own view survives a NATS restart.
    const nc = await connect({
      servers: nats.url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    undo.push(() => nc.close());
    const jsm = await jetstreamManager(nc);
    await declareBusInfrastructure(jsm, topo);
    return { nats, postgres, databaseUrl, pool, nc, jsm };
  })().catch(async (err: unknown) => {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw err;
  });

  const backend = new ProcessBackend({
    stateDir,
    entries: ENTRIES,
    baseEnv: {
      NATS_URL: nats.url,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'info',
      CRYPTOVIZ_DATA_DIR: dataDir,
      // Messages a killed writer held come back after this; the default (30 s) is for
      // production, where a writer's batch may legitimately take long.
      WRITER_ACK_WAIT_S: '5',
    },
  });
  const workloads = [
    ...planWriters(options.writers ?? 1),
    ...planModel(model),
    ...planSource(source),
  ];
  const find = (name: string) => backend.list().find((w) => w.workload.name === name);

  async function readStream<T>(stream: string, decode: (subject: string, data: Uint8Array) => T[]) {
    const { state } = await jsm.streams.info(stream);
    const out: T[] = [];
    if (state.messages === 0) return out;
    const consumer = await jetstream(nc).consumers.get(stream);
    for await (const msg of await consumer.fetch({
      max_messages: state.messages,
      expires: 10_000,
    })) {
      out.push(...decode(msg.subject, msg.data));
      if (msg.info.pending === 0) break;
    }
    return out;
  }

  return {
    nats,
    postgres,
    databaseUrl,
    pool,
    nc,
    jsm,
    expected,
    workloads,
    stateDir,
    async start() {
      // Writers and predictor first: the replay's clock starts when its fetcher first polls.
      await backend.apply(workloads.filter((w) => w.role !== 'fetcher'));
      await backend.apply(workloads);
    },
    pidOf: (name) => find(name)?.pid,
    restartsOf: (name) => find(name)?.restarts ?? 0,
    async kill(name) {
      const pid = find(name)?.pid;
      if (pid === undefined) throw new Error(`${name} is not running`);
      process.kill(pid, 'SIGKILL');
      return pid;
    },
    async observe() {
      const ticks = await pool.query<{ source: string; symbol: string; time: Date }>(
        'SELECT source, symbol, time FROM ticks',
      );
      const predictions = await pool.query<{
        model: string;
        source: string;
        symbol: string;
        horizon_s: number;
        made_at: Date;
      }>('SELECT model, source, symbol, horizon_s, made_at FROM predictions');
      return {
        ticksStored: new Set(ticks.rows.map((r) => tickKey({ ...r, time: r.time.toISOString() }))),
        ticksInStream: await readStream(topo.streams.ticks, (subject, bytes) =>
          decodeTicks(topo, subject, bytes).ticks.map(tickKey),
        ),
        predictionsStored: new Set(
          predictions.rows.map((r) =>
            predictionId({
              model: r.model,
              source: r.source,
              symbol: r.symbol,
              horizonS: r.horizon_s,
              madeAt: r.made_at.toISOString(),
            }),
          ),
        ),
        predictionsInStream: await readStream(topo.streams.predictions, (_, bytes) => {
          const decoded = decodeJson(predictionRecordSchema, bytes);
          return decoded.ok ? [predictionId(decoded.value)] : [`undecodable: ${decoded.reason}`];
        }),
      };
    },
    storedTickCount: async () =>
      Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM ticks')).rows[0]!.n),
    async stop() {
      await backend.stop();
      await nc.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await postgres.stop();
      await nats.stop();
      rmSync(sliceFolder, { recursive: true, force: true });
      // The servers' data (50 MB a run) goes; the workers' and servers' logs stay, for a failure.
      for (const bulk of [postgres.dataDir, join(nats.storeDir, 'jetstream')]) {
        rmSync(bulk, { recursive: true, force: true });
      }
    },
  };
}
