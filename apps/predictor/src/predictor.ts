import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import pRetry from 'p-retry';
import type pg from 'pg';
import {
  decodeTicks,
  encodeJson,
  publishConfirmed,
  type NatsConnection,
  type Topology,
} from '@cryptoviz/bus';
import { predictionId, type PredictionRecord, type ScoreMetrics } from '@cryptoviz/forecast';
import { parseDuration, type PredictionModelSpec } from '@cryptoviz/resources';
import { Counter, Gauge, type Logger, type Registry } from '@cryptoviz/runtime';
import {
  barCloses,
  insertNewPredictions,
  isTransientDatabaseError,
  latestTicks,
  scorePredictions,
  type RealizedClose,
} from '@cryptoviz/store';
import { BarBuilder, type ClosedBar } from './bars.ts';
import { toModelSpec } from './model-spec.ts';
import { barsNeeded, SeriesForecaster } from './series.ts';

export interface PredictorOptions {
  nc: NatsConnection;
  topo: Topology;
  pool: pg.Pool;
  log: Logger;
  registry: Registry;
  /** The PredictionModel name. */
  model: string;
  spec: PredictionModelSpec;
  /** This worker's symbols (its shard of spec.symbols). */
  symbols: string[];
  /** Bars of history loaded at start beyond what the model needs (default EXTRA_HISTORY_BARS). */
  historyBars?: number;
  /** Stream lookback (wall time) re-read at start to rebuild the bar still open. */
  resumeLookbackMs?: number;
}

/**
 * Default bars of history beyond the model's needs: enough for a restarted worker's intervals and
 * confidence to rest on a full residual window (720 bars), as a worker that ran throughout does.
 */
export const EXTRA_HISTORY_BARS = 1_000;

/** Closed bars loaded at start: what the slowest horizon needs to forecast, plus `extra`. */
export function historyBarsFor(spec: PredictionModelSpec, extra = EXTRA_HISTORY_BARS): number {
  const barMs = parseDuration(spec.interval);
  return barsNeeded(toModelSpec(spec), barMs, spec.horizons.map(parseDuration)) + extra;
}

/** Which step of persisting a batch failed, so the log says what did and did not happen. */
class PersistError extends Error {
  constructor(
    readonly step: 'store' | 'score' | 'publish',
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

const PERSIST_FAILURE: Record<PersistError['step'], string> = {
  store: 'could not store forecasts (so this batch was neither scored nor published)',
  score: 'could not score realized forecasts (new forecasts are stored but were not published)',
  publish: 'could not publish forecasts (they are stored and scored)',
};

const persistFailure = (err: unknown) =>
  err instanceof PersistError ? PERSIST_FAILURE[err.step] : 'could not persist forecasts';

/** Runs one step of persisting, tagging its failure with the step. */
async function step<T>(name: PersistError['step'], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new PersistError(name, err);
  }
}

export interface PredictorStatus {
  series: number;
  predictionsPublished: number;
  scored: number;
  ignoredTicks: number;
  lastPredictionAt: string | null;
  /**
   * When forecasts were last stored, by the clock: how a reader tells a model still at work
   * from a stuck one when its forecasts are in event time (a replay's are years old).
   */
  lastStoredAt: string | null;
  /** Share of recent scored forecasts whose direction was right, over every series. */
  accuracy: number | null;
  /** 1 − MAE/MAE(naive) over the same forecasts. */
  skill: number | null;
  /** `source/symbol` → horizon seconds → live metrics. */
  bySeries: Record<string, Record<string, ScoreMetrics>>;
}

/** One figure from many: each series' and horizon's metric weighted by how many it scored. */
function weighted(
  bySeries: PredictorStatus['bySeries'],
  pick: (m: ScoreMetrics) => number | null,
): number | null {
  let sum = 0;
  let n = 0;
  for (const horizons of Object.values(bySeries)) {
    for (const metrics of Object.values(horizons)) {
      const value = pick(metrics);
      if (value === null || metrics.n === 0) continue;
      sum += value * metrics.n;
      n += metrics.n;
    }
  }
  return n > 0 ? sum / n : null;
}

export interface Predictor {
  status(): PredictorStatus;
  isReady(): boolean;
  stop(): Promise<void>;
}

interface Series {
  bars: BarBuilder;
  forecaster: SeriesForecaster;
}

function predictorMetrics(registry: Registry) {
  return {
    predictions: new Counter({
      name: 'cryptoviz_predictor_predictions_total',
      help: 'Forecasts made and published (re-forecasts of stored bars at start are not counted)',
      labelNames: ['model'],
      registers: [registry],
    }),
    scored: new Counter({
      name: 'cryptoviz_predictor_scored_total',
      help: 'Forecasts scored against the realized price',
      labelNames: ['model'],
      registers: [registry],
    }),
    skill: new Gauge({
      name: 'cryptoviz_predictor_skill',
      help: 'Live skill versus naive (1 − MAE/MAE_naive) over recent forecasts',
      labelNames: ['model', 'source', 'symbol', 'horizon_s'],
      registers: [registry],
    }),
  };
}

/**
 * Follows TICKS for its symbols, builds bars in event time, forecasts every horizon when a bar
 * closes, stores and publishes the forecasts, and scores the ones each bar realizes.
 * Forecasts are keyed by (model, source, symbol, horizon, madeAt), so a restart that
 * rebuilds the same bars neither loses nor duplicates one.
 */
export async function startPredictor(options: PredictorOptions): Promise<Predictor> {
  const { nc, topo, pool, log, model, spec } = options;
  const metrics = predictorMetrics(options.registry);
  const barMs = parseDuration(spec.interval);
  const horizonsMs = spec.horizons.map(parseDuration);
  const modelSpec = toModelSpec(spec);
  const sources = new Set(spec.sources);
  const series = new Map<string, Series>();
  const counts = { predictionsPublished: 0, scored: 0, ignoredTicks: 0 };
  let lastPredictionAt: string | null = null;
  let lastStoredAt: string | null = null;

  const key = (source: string, symbol: string) => `${source}/${symbol}`;
  const wants = (source: string, symbol: string) =>
    options.symbols.includes(symbol) && (sources.size === 0 || sources.has(source));

  function seriesFor(source: string, symbol: string): Series {
    let entry = series.get(key(source, symbol));
    if (!entry) {
      entry = {
        bars: new BarBuilder(barMs),
        forecaster: new SeriesForecaster(
          { model, algorithm: spec.algorithm, source, symbol },
          modelSpec,
          barMs,
          horizonsMs,
          spec.signal,
        ),
      };
      series.set(key(source, symbol), entry);
    }
    return entry;
  }

  const withDatabase = <T>(work: () => Promise<T>) =>
    pRetry(work, {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 200,
      maxTimeout: 5_000,
      shouldRetry: ({ error }) => isTransientDatabaseError(error),
      onFailedAttempt: ({ error, attemptNumber }) => {
        if (attemptNumber === 1) log.warn({ err: error.message }, 'database unavailable; retrying');
      },
    });

  async function persist(
    predictions: PredictionRecord[],
    realized: RealizedClose[],
  ): Promise<void> {
    // The database first (retried until it answers): stored and scored, a forecast survives a
    // NATS outage that only costs live viewers their update.
    const fresh = await step('store', () =>
      withDatabase(() => insertNewPredictions(pool, predictions)),
    );
    const scored = await step('score', () =>
      withDatabase(() => scorePredictions(pool, model, realized)),
    );
    counts.scored += scored;
    metrics.scored.inc({ model }, scored);
    // Only forecasts stored just now: re-forecasts of stored bars (every start re-forecasts its
    // history) were published when first made, and JetStream would not drop them as duplicates
    // once its 2-minute window has passed.
    await step('publish', () => publish(fresh));
    // Reported once stored, scored and published, so a reader of the status can rely on it.
    for (const p of predictions) {
      if (lastPredictionAt === null || p.madeAt > lastPredictionAt) lastPredictionAt = p.madeAt;
    }
    if (fresh.length > 0) lastStoredAt = new Date().toISOString();
  }

  async function publish(predictions: PredictionRecord[]): Promise<void> {
    if (predictions.length === 0) return;
    await publishConfirmed(
      nc,
      predictions.map((p) => ({
        subject: topo.predictionSubject(model, p.symbol),
        data: encodeJson(p),
        msgId: predictionId(p),
      })),
    );
    counts.predictionsPublished += predictions.length;
    metrics.predictions.inc({ model }, predictions.length);
  }

  function onBars(entry: Series, closed: ClosedBar[]) {
    const predictions: PredictionRecord[] = [];
    const realized: RealizedClose[] = [];
    for (const bar of closed) {
      const outcome = entry.forecaster.onBar(bar);
      predictions.push(...outcome.predictions);
      realized.push(outcome.realized);
    }
    const { source, symbol } = entry.forecaster.identity;
    for (const [horizon, m] of Object.entries(entry.forecaster.accuracy())) {
      if (m.skill !== null)
        metrics.skill.set({ model, source, symbol, horizon_s: horizon }, m.skill);
    }
    return { predictions, realized };
  }

  // Warm up from the database: the newest bars per (source, symbol). The newest one stays open
  // in the bar builder, and ticks re-read from the stream below complete it.
  const historyBars = historyBarsFor(spec, options.historyBars);
  const known = await withDatabase(() => latestTicks(pool, { symbols: options.symbols }));
  for (const tick of known.filter((t) => wants(t.source, t.symbol))) {
    const lastBucket = Math.floor(Date.parse(tick.time) / barMs) * barMs;
    const history = await withDatabase(() =>
      barCloses(pool, {
        source: tick.source,
        symbol: tick.symbol,
        barMs,
        from: new Date(lastBucket - historyBars * barMs),
        to: new Date(lastBucket + barMs),
      }),
    );
    const entry = seriesFor(tick.source, tick.symbol);
    const closed = history.flatMap((bar) => entry.bars.push(bar.time, bar.close));
    const { predictions, realized } = onBars(entry, closed);
    // Forecasts for bars that closed while no worker ran are made now; stored ones are kept.
    await persist(predictions, realized);
    log.info({ source: tick.source, symbol: tick.symbol, bars: history.length }, 'warmed up');
  }

  // Then follow the stream, re-reading a little of it to rebuild each bar still open.
  const js = jetstream(nc);
  const resumeFrom = new Date(
    Date.now() - (options.resumeLookbackMs ?? Math.max(2 * barMs, 60_000)),
  );
  const subscriptions: ConsumerMessages[] = [];
  const loops: Promise<void>[] = [];
  for (const symbol of options.symbols) {
    const consumer = await js.consumers.get(topo.streams.ticks, {
      filter_subjects: topo.ticksFilter(undefined, symbol),
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: resumeFrom.toISOString(),
    });
    const messages = await consumer.consume();
    subscriptions.push(messages);
    loops.push(
      (async () => {
        for await (const msg of messages) {
          const { ticks, problems } = decodeTicks(topo, msg.subject, msg.data);
          counts.ignoredTicks += problems.length;
          for (const tick of ticks) {
            if (!wants(tick.source, tick.symbol)) {
              counts.ignoredTicks++;
              continue;
            }
            const entry = seriesFor(tick.source, tick.symbol);
            const closed = entry.bars.push(Date.parse(tick.time), tick.price);
            if (closed.length === 0) continue;
            const { predictions, realized } = onBars(entry, closed);
            try {
              await persist(predictions, realized);
            } catch (err) {
              log.error({ err: (err as Error).message }, persistFailure(err));
            }
          }
        }
      })(),
    );
  }

  return {
    status: () => {
      const bySeries = Object.fromEntries(
        [...series].map(([name, entry]) => [name, entry.forecaster.accuracy()]),
      );
      const direction = weighted(bySeries, (m) => m.directionalAccuracy);
      return {
        series: series.size,
        ...counts,
        lastPredictionAt,
        lastStoredAt,
        accuracy: direction === null ? null : direction / 100,
        skill: weighted(bySeries, (m) => m.skill),
        bySeries,
      };
    },
    isReady: () => !nc.isClosed(),
    async stop() {
      await Promise.all(subscriptions.map((s) => s.close()));
      await Promise.all(loops);
    },
  };
}
