import type pg from 'pg';
import type { DecodedTicks, NatsConnection, Topology } from '@cryptoviz/bus';
import {
  barsRemembered,
  type ForecasterOptions,
  type ScoreMetrics,
  type SkillVerdict,
} from '@cryptoviz/forecast';
import {
  combineSkillTests,
  parseDuration,
  toModelSpec,
  warmUpBars,
  type PredictionModelSpec,
} from '@cryptoviz/resources';
import type { Logger, Registry } from '@cryptoviz/runtime';
import { DEFAULT_CATCH_UP_MAX_BARS } from './catch-up-plan.ts';
import { catchUp } from './catch-up.ts';
import { databaseRetry } from './database-retry.ts';
import { followTicks } from './follow.ts';
import { predictorMetrics } from './metrics.ts';
import { Persister, persistFailure } from './persist.ts';
import { SeriesBook } from './series-book.ts';

export interface PredictorOptions {
  nc: NatsConnection;
  topo: Topology;
  pool: pg.Pool;
  log: Logger;
  registry: Registry;
  /** The PredictionModel's key, `namespace/name`: predictions' `model`, subjects, labels. */
  model: string;
  spec: PredictionModelSpec;
  /** This worker's symbols (its shard of spec.symbols). */
  symbols: string[];
  /**
   * Bars replayed beyond the model's needs before the first forecast of a start; by default
   * what its forecasters remember (see historyBarsFor).
   */
  historyBars?: number;
  /** The forecasters' options; the defaults (calibrated confidence, adaptive intervals) when unset. */
  forecaster?: ForecasterOptions;
  /**
   * Stream lookback (wall time) re-read at start to rebuild the bar still open, counted from
   * the start: it covers what reached the database after the catch-up read it.
   */
  resumeLookbackMs?: number;
  /** At most this many bars of a downtime are caught up: the newest (PREDICTOR_CATCHUP_MAX_BARS). */
  catchUpMaxBars?: number;
}

/**
 * Closed bars loaded at start. By default what the model's forecasters remember
 * (Forecaster.memoryBars, the longest horizon's), so a restarted worker gives bit for bit the
 * forecasts of one that ran throughout, calibration and adaptive intervals included: about
 * 6,700 hourly bars with the default windows (the 180-day calibration window and the calls it
 * rests on). Their ticks are read in pages of CATCH_UP_PAGE_BARS, so memory stays flat; the
 * replay itself took 0.06–0.12 s per series and two horizons on a loaded 2-core machine. With
 * `extra`, what the slowest horizon needs to forecast plus `extra`.
 */
export function historyBarsFor(
  spec: PredictionModelSpec,
  extra?: number,
  forecaster?: ForecasterOptions,
): number {
  if (extra !== undefined) return warmUpBars(spec) + extra;
  const barMs = parseDuration(spec.interval);
  return barsRemembered(toModelSpec(spec), barMs, spec.horizons.map(parseDuration), forecaster);
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
  /**
   * What Diebold–Mariano tests of that skill against naive say, one per series and horizon
   * over the same forecasts, combined by combineSkillTests (the weakest); null before any.
   */
  skillVerdict: SkillVerdict | null;
  /** The p-value of the test behind skillVerdict. */
  skillPValue: number | null;
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

/**
 * Catches up from the stored ticks, then follows TICKS for its symbols: builds bars in event
 * time, forecasts every horizon when a bar closes, stores and publishes the forecasts, and
 * scores the ones each bar realizes. Forecasts are keyed by (model, source, symbol, horizon,
 * madeAt), so a restart that rebuilds the same bars neither loses nor duplicates one.
 */
export async function startPredictor(options: PredictorOptions): Promise<Predictor> {
  const { nc, topo, pool, log, model, spec } = options;
  // Taken before the database is read: the stream re-read from here covers whatever the
  // writer stored while the catch-up ran, however long it took.
  const startedAt = Date.now();
  const metrics = predictorMetrics(options.registry);
  const withDatabase = databaseRetry(log);
  const book = new SeriesBook(model, spec, options.symbols, metrics.skill, options.forecaster);
  const persister = new Persister({
    pool,
    nc,
    topo,
    model,
    symbols: options.symbols,
    metrics,
    withDatabase,
  });
  let ignoredTicks = 0;

  // First what a predecessor stored but was killed before publishing, so that live viewers
  // get forecasts in the order they were made. Failing, it is tried again with the next batch.
  await persister.publishUnpublished().catch((err: unknown) => {
    log.error({ err: (err as Error).message }, 'could not publish forecasts stored earlier');
  });

  await catchUp({
    pool,
    log,
    model,
    spec,
    symbols: options.symbols,
    book,
    persister,
    withDatabase,
    historyBars: historyBarsFor(spec, options.historyBars, options.forecaster),
    maxBars: options.catchUpMaxBars ?? DEFAULT_CATCH_UP_MAX_BARS,
  });

  // Ticks the catch-up already saw come again; those of closed bars are late and ignored, and
  // a re-forecast bar is stored once by its key.
  async function onMessage({ ticks, problems }: DecodedTicks): Promise<void> {
    ignoredTicks += problems.length;
    for (const tick of ticks) {
      if (!book.wants(tick.source, tick.symbol)) {
        ignoredTicks++;
        continue;
      }
      const entry = book.get(tick.source, tick.symbol);
      const closed = entry.bars.push(Date.parse(tick.time), tick.price);
      if (closed.length === 0) continue;
      const { predictions, realized } = book.forecast(entry, closed);
      try {
        await persister.persist(predictions, realized);
      } catch (err) {
        log.error({ err: (err as Error).message }, persistFailure(err));
      }
    }
  }
  const lookbackMs = options.resumeLookbackMs ?? Math.max(2 * book.barMs, 60_000);
  const following = followTicks({
    nc,
    topo,
    symbols: options.symbols,
    from: new Date(startedAt - lookbackMs),
    onMessage,
    onRecreate: (symbol, reason) =>
      log.warn({ symbol, reason }, 'ticks consumer lost: recreating it where it left off'),
  });

  return {
    status: () => {
      const bySeries = book.accuracy();
      const direction = weighted(bySeries, (m) => m.directionalAccuracy);
      const verdict = combineSkillTests(book.significance());
      return {
        series: book.size,
        predictionsPublished: persister.predictionsPublished,
        scored: persister.scored,
        ignoredTicks,
        lastPredictionAt: persister.lastPredictionAt,
        lastStoredAt: persister.lastStoredAt,
        accuracy: direction === null ? null : direction / 100,
        skill: weighted(bySeries, (m) => m.skill),
        skillVerdict: verdict?.verdict ?? null,
        skillPValue: verdict?.pValue ?? null,
        bySeries,
      };
    },
    isReady: () => !nc.isClosed(),
    stop: () => following.stop(),
  };
}
