import type pg from 'pg';
import { parseDuration, type PredictionModelSpec } from '@cryptoviz/resources';
import type { Logger } from '@cryptoviz/runtime';
import { barCloses, lastForecasts, latestTicks } from '@cryptoviz/store';
import { pages, planCatchUp, type CatchUpPlan } from './catch-up-plan.ts';
import type { DatabaseRetry } from './database-retry.ts';
import type { Persister } from './persist.ts';
import { seriesKey, type Series, type SeriesBook } from './series-book.ts';

export interface CatchUpOptions {
  pool: pg.Pool;
  log: Logger;
  model: string;
  spec: PredictionModelSpec;
  symbols: readonly string[];
  book: SeriesBook;
  persister: Persister;
  withDatabase: DatabaseRetry;
  /** Closed bars the model is fed before the first bar it forecasts for the record. */
  historyBars: number;
  /** At most this many bars of a downtime are forecast (PREDICTOR_CATCHUP_MAX_BARS). */
  maxBars: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Before following the stream, forecasts from the stored ticks every bar of each series that
 * closed while no worker ran (up to the bound), page by page, and leaves its newest bar open
 * for the stream to complete.
 */
export async function catchUp(options: CatchUpOptions): Promise<void> {
  const { pool, log, model, spec, book, withDatabase } = options;
  const newest = (await withDatabase(() => latestTicks(pool, { symbols: options.symbols }))).filter(
    (t) => book.wants(t.source, t.symbol),
  );
  const last = await withDatabase(() =>
    lastForecasts(pool, {
      model,
      series: newest,
      horizonsS: spec.horizons.map((h) => parseDuration(h) / 1000),
    }),
  );
  const lastForecastMs = new Map(
    last.map((l) => [seriesKey(l.source, l.symbol), Date.parse(l.madeAt)]),
  );
  for (const tick of newest) {
    const plan = planCatchUp({
      barMs: book.barMs,
      newestTickMs: Date.parse(tick.time),
      lastForecastMs: lastForecastMs.get(seriesKey(tick.source, tick.symbol)) ?? null,
      historyBars: options.historyBars,
      maxBars: options.maxBars,
    });
    const { source, symbol } = tick;
    if (plan.skipped) {
      const { from, to, bars } = plan.skipped;
      log.warn(
        { source, symbol, from: iso(from), to: iso(to), bars, maxBars: options.maxBars },
        'downtime longer than PREDICTOR_CATCHUP_MAX_BARS: its oldest bars were skipped, left without forecasts',
      );
    }
    const bars = await replay(options, book.get(source, symbol), plan);
    log.info({ source, symbol, bars, forecastFrom: iso(plan.persistFrom) }, 'caught up');
  }
}

/** Replays one series' stored bars page by page; returns how many bars were read. */
async function replay(options: CatchUpOptions, entry: Series, plan: CatchUpPlan): Promise<number> {
  const { pool, book, persister, withDatabase } = options;
  const { source, symbol } = entry.forecaster.identity;
  let read = 0;
  for (const page of pages(plan.replayFrom, plan.replayTo, book.barMs)) {
    const stored = await withDatabase(() =>
      barCloses(pool, {
        source,
        symbol,
        barMs: book.barMs,
        from: new Date(page.from),
        to: new Date(page.to),
      }),
    );
    read += stored.length;
    const closed = stored.flatMap((bar) => entry.bars.push(bar.time, bar.close));
    const { predictions, realized } = book.forecast(entry, closed, plan.persistFrom);
    await persister.persist(predictions, realized);
  }
  return read;
}
