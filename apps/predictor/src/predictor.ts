import type pg from 'pg';
import type { NatsConnection, Topology } from '@cryptoviz/bus';
import { barsRemembered, type ForecasterOptions } from '@cryptoviz/forecast';
import { parseDuration, type PredictionModelSpec } from '@cryptoviz/resources';
import { toModelSpec, warmUpBars } from '@cryptoviz/resources/warm-up';
import type { Logger, Registry } from '@cryptoviz/runtime';
import { DEFAULT_CATCH_UP_MAX_BARS } from './catch-up-plan.ts';
import { catchUp } from './catch-up.ts';
import { databaseRetry } from './database-retry.ts';
import { followTicks } from './follow.ts';
import { predictorMetrics } from './metrics.ts';
import { Persister } from './persist.ts';
import { predictorStatus, type PredictorStatus } from './predictor-status.ts';
import { SeriesBook } from './series-book.ts';
import { ticksHandler } from './ticks-handler.ts';

export type { PredictorStatus } from './predictor-status.ts';

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

  const onMessage = ticksHandler({
    book,
    persister,
    log,
    onIgnored: (count) => (ignoredTicks += count),
  });
  const lookbackMs = options.resumeLookbackMs ?? Math.max(2 * book.barMs, 60_000);
  const following = followTicks({
    nc,
    topo,
    namespace: book.namespace,
    symbols: options.symbols,
    from: new Date(startedAt - lookbackMs),
    onMessage,
    onRecreate: (symbol, reason) =>
      log.warn({ symbol, reason }, 'ticks consumer lost: recreating it where it left off'),
  });

  return {
    status: () => predictorStatus(book, persister, ignoredTicks),
    isReady: () => !nc.isClosed(),
    stop: () => following.stop(),
  };
}
