import type { ApiOutputs } from './api.ts';

type Prediction = ApiOutputs['predictions']['latest'][number];
type Candle = ApiOutputs['markets']['candles'][number];
/** A forecast as the live stream carries it: published before anything scored it. */
export type LiveForecast = Omit<Prediction, 'realized' | 'error' | 'scoredAt'>;

const HOUR_MS = 3_600_000;
/** How far back the forecast chart reaches. */
const HISTORY_MS = 48 * HOUR_MS;

/** One forecast series: a model's forecasts of one coin from one source at one horizon. */
export const seriesOf = (p: Pick<Prediction, 'model' | 'source' | 'symbol' | 'horizonS'>) =>
  [p.model, p.source, p.symbol, p.horizonS].join('\u0000');

/**
 * `latest` with `incoming` merged in: each series (model, source, coin, horizon) keeps its
 * newest forecast, in place, so table rows do not jump. The same array when nothing is newer,
 * so a replayed forecast does not make the page recompute.
 */
export function mergeForecasts(
  latest: Prediction[],
  incoming: readonly Prediction[],
): Prediction[] {
  const merged = new Map(latest.map((p) => [seriesOf(p), p]));
  let changed = false;
  for (const p of incoming) {
    const current = merged.get(seriesOf(p));
    if (current && current.madeAt >= p.madeAt) continue;
    merged.set(seriesOf(p), p);
    changed = true;
  }
  return changed ? [...merged.values()] : latest;
}

const NOT_SCORED_YET = { realized: null, error: null, scoredAt: null } as const;

/** A live forecast as the stored ones read: what scoring fills in is still empty. */
export function fromLive(forecast: LiveForecast): Prediction {
  return { ...NOT_SCORED_YET, ...forecast };
}

/** What the chart of one coin at one horizon shows: its price from one source, and these models. */
export interface ChartSelection {
  symbol: string;
  horizonS: number;
  source: string;
  models: string[];
}

/** The chart's selection, from the newest forecasts at the chosen coin and horizon. */
export function chartSelectionOf(atHorizon: readonly Prediction[]): ChartSelection | null {
  const first = atHorizon[0];
  if (!first) return null;
  return {
    symbol: first.symbol,
    horizonS: first.horizonS,
    source: first.source,
    models: [...new Set(atHorizon.map((p) => p.model))].sort(),
  };
}

/**
 * The chart's selection as a string that changes only when the selection does: a new forecast
 * of the same models is no reason by itself to re-read the chart.
 */
export function chartKeyOf(atHorizon: readonly Prediction[]): string | null {
  const selection = chartSelectionOf(atHorizon);
  return selection && JSON.stringify(selection);
}

/**
 * The time range the chart reads: anchored at the newest forecast, not the wall clock, since a
 * model on replayed candles lives in their time (event time) and its history is there.
 */
export function chartRange(
  atHorizon: readonly Prediction[],
  nowMs: number,
): { from: string; to: string } {
  const newest = Math.max(...atHorizon.map((p) => Date.parse(p.madeAt)));
  const to = Math.min(nowMs, newest + HOUR_MS);
  return { from: new Date(to - HISTORY_MS).toISOString(), to: new Date(to).toISOString() };
}

/**
 * The price line, [time ms, price] oldest first: hourly closes (each at its candle's end), and
 * the realized prices scored forecasts recorded, which cover hours the tick table may no longer
 * hold.
 */
export function priceLine(
  candles: readonly Candle[],
  history: readonly Prediction[],
  nowMs: number,
): [number, number][] {
  const points = new Map<number, number>();
  for (const p of history) if (p.realized !== null) points.set(Date.parse(p.targetAt), p.realized);
  for (const c of candles) points.set(Math.min(Date.parse(c.time) + HOUR_MS, nowMs), c.close);
  return [...points].sort((a, b) => a[0] - b[0]);
}

/** The horizons most models use: always offered, with an empty state when none has them. */
const STANDARD_HORIZONS_S = [3_600, 21_600];

/** The standard horizons and any other a coin's forecasts come in (a 5-minute model's), shortest first. */
export function horizonsOf(
  forecasts: readonly Pick<Prediction, 'symbol' | 'horizonS'>[],
  symbol: string | null,
): number[] {
  const found = forecasts.filter((p) => p.symbol === symbol).map((p) => p.horizonS);
  return [...new Set([...STANDARD_HORIZONS_S, ...found])].sort((a, b) => a - b);
}
