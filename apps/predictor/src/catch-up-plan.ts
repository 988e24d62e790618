/** Default bound on the bars a restarted worker forecasts for its downtime (PREDICTOR_CATCHUP_MAX_BARS). */
export const DEFAULT_CATCH_UP_MAX_BARS = 100_000;

/** Bars read from the database at once: memory stays flat however long the downtime was. */
export const CATCH_UP_PAGE_BARS = 2_000;

/** Bars of a downtime left without forecasts because it exceeded the bound; close times. */
export interface SkippedBars {
  /** Close time of the first bar skipped, epoch ms. */
  from: number;
  /** Close time of the last bar skipped, epoch ms. */
  to: number;
  bars: number;
}

/** What a starting worker replays from the stored ticks of one series, in epoch ms. */
export interface CatchUpPlan {
  /** Start of the first bar replayed. */
  replayFrom: number;
  /** End of the replay: the newest bar, which stays open for the stream to complete. */
  replayTo: number;
  /** Bars closing at or after this are forecast, stored and scored; earlier ones only warm the model. */
  persistFrom: number;
  skipped: SkippedBars | null;
}

export interface CatchUpInput {
  barMs: number;
  /** The series' newest stored tick. */
  newestTickMs: number;
  /** Made-at of the series' newest stored forecast; null when the model never forecast it. */
  lastForecastMs: number | null;
  /** Closed bars the model is fed before the first bar it forecasts for the record. */
  historyBars: number;
  /** At most this many bars of a downtime are forecast: the most recent ones. */
  maxBars: number;
}

const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;

/**
 * Which stored bars a starting worker replays. A series the model never forecast gets
 * `historyBars` of history, each forecast; one it did is caught up from its last forecast (that
 * bar again, so a worker stopped between storing and scoring it leaves nothing unscored),
 * after a warm-up of `historyBars` so its forecasts match an uninterrupted worker's. A
 * downtime longer than `maxBars` bars is caught up only for its newest `maxBars` bars.
 */
export function planCatchUp(input: CatchUpInput): CatchUpPlan {
  const { barMs, historyBars, maxBars } = input;
  const openBar = floorTo(input.newestTickMs, barMs);
  const replayTo = openBar + barMs;
  if (input.lastForecastMs === null) {
    const replayFrom = openBar - historyBars * barMs;
    return { replayFrom, replayTo, persistFrom: replayFrom, skipped: null };
  }
  const lastForecast = floorTo(input.lastForecastMs, barMs);
  // Bars that closed after the last forecast: the newest closes when the open bar opened.
  const downtimeBars = (openBar - lastForecast) / barMs;
  const skippedBars = downtimeBars - maxBars;
  const persistFrom = skippedBars > 0 ? openBar - (maxBars - 1) * barMs : lastForecast;
  return {
    replayFrom: persistFrom - (historyBars + 1) * barMs,
    replayTo,
    persistFrom,
    skipped:
      skippedBars > 0
        ? { from: lastForecast + barMs, to: persistFrom - barMs, bars: skippedBars }
        : null,
  };
}

/** [from, to) cut into consecutive windows of at most `pageBars` bars. */
export function* pages(
  from: number,
  to: number,
  barMs: number,
  pageBars = CATCH_UP_PAGE_BARS,
): Generator<{ from: number; to: number }> {
  for (let start = from; start < to; start += pageBars * barMs) {
    yield { from: start, to: Math.min(start + pageBars * barMs, to) };
  }
}
