import { skillOf, type PredictionRecord, type ScoreMetrics } from '@cryptoviz/forecast';
import type pg from 'pg';
import { WINDOWED_SCORED_SQL, windowedScoredParams, type AccuracyQuery } from './scored-window.ts';

export type { AccuracyQuery } from './scored-window.ts';

const COLUMNS =
  'model, source, symbol, horizon_s, made_at, target_at, algorithm, origin_price, point, lower, upper, confidence, signal';

/** Stores forecasts; one already stored (a restarted worker re-forecasting a bar) is kept as is. */
export async function insertPredictions(
  pool: pg.Pool,
  predictions: readonly PredictionRecord[],
): Promise<number> {
  return (await insertNewPredictions(pool, predictions)).length;
}

/**
 * Stores forecasts and returns those that were not stored yet, in their given order: only
 * these are news to anyone following the forecasts live. One already stored (a restarted
 * worker re-forecasting a bar) is kept as is and left out.
 */
export async function insertNewPredictions(
  pool: pg.Pool,
  predictions: readonly PredictionRecord[],
): Promise<PredictionRecord[]> {
  if (predictions.length === 0) return [];
  const result = await pool.query<PredictionKeyRow>(
    `INSERT INTO predictions (${COLUMNS})
     SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[],
       $6::timestamptz[], $7::text[], $8::float8[], $9::float8[], $10::float8[], $11::float8[],
       $12::float8[], $13::text[])
     ON CONFLICT DO NOTHING
     RETURNING model, source, symbol, horizon_s, made_at`,
    columnsOf(predictions),
  );
  const inserted = new Set(
    result.rows.map((row) =>
      keyOf(row.model, row.source, row.symbol, row.horizon_s, row.made_at.getTime()),
    ),
  );
  // A key repeated within the batch was inserted once: report it once, as its first record.
  return predictions.filter((p) =>
    inserted.delete(keyOf(p.model, p.source, p.symbol, p.horizonS, Date.parse(p.madeAt))),
  );
}

interface PredictionKeyRow {
  model: string;
  source: string;
  symbol: string;
  horizon_s: number;
  made_at: Date;
}

/** The primary key as one string, made_at in epoch ms: ISO texts spell one instant many ways. */
const keyOf = (model: string, source: string, symbol: string, horizonS: number, madeAtMs: number) =>
  JSON.stringify([model, source, symbol, horizonS, madeAtMs]);

/** One array per column, in COLUMNS order, for UNNEST. */
function columnsOf(predictions: readonly PredictionRecord[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 13 }, () => []);
  for (const p of predictions) {
    const row = [
      p.model,
      p.source,
      p.symbol,
      p.horizonS,
      p.madeAt,
      p.targetAt,
      p.algorithm,
      p.originPrice,
      p.point,
      p.lower,
      p.upper,
      p.confidence,
      p.signal,
    ];
    row.forEach((value, i) => cols[i]!.push(value));
  }
  return cols;
}

/**
 * Forecasts of `model` for `symbols` stored but not yet confirmed published, oldest first, at
 * most `limit`: what a predictor killed between storing and publishing left behind.
 */
export async function unpublishedPredictions(
  pool: pg.Pool,
  query: { model: string; symbols: readonly string[]; limit: number },
): Promise<PredictionRecord[]> {
  const result = await pool.query<PredictionRecordRow>(
    `SELECT ${COLUMNS} FROM predictions
     WHERE model = $1 AND symbol = ANY($2) AND published_at IS NULL
     ORDER BY made_at LIMIT $3`,
    [query.model, query.symbols, query.limit],
  );
  return result.rows.map(toRecord);
}

/** Records that JetStream confirmed these forecasts: they are never published again. */
export async function markPredictionsPublished(
  pool: pg.Pool,
  predictions: readonly PredictionRecord[],
): Promise<number> {
  if (predictions.length === 0) return 0;
  const result = await pool.query(
    `UPDATE predictions p SET published_at = now()
     FROM UNNEST($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[])
       AS k(model, source, symbol, horizon_s, made_at)
     WHERE p.model = k.model AND p.source = k.source AND p.symbol = k.symbol
       AND p.horizon_s = k.horizon_s AND p.made_at = k.made_at AND p.published_at IS NULL`,
    [
      predictions.map((p) => p.model),
      predictions.map((p) => p.source),
      predictions.map((p) => p.symbol),
      predictions.map((p) => p.horizonS),
      predictions.map((p) => p.madeAt),
    ],
  );
  return result.rowCount ?? 0;
}

/** When a model last forecast one of its series: its newest stored forecast's made-at. */
export interface LastForecast {
  source: string;
  symbol: string;
  madeAt: string;
}

/**
 * The newest stored forecast's made-at of `model` for each of `series` that has one, over
 * `horizonsS`: one primary-key lookup per series and horizon, however long the history.
 */
export async function lastForecasts(
  pool: pg.Pool,
  query: {
    model: string;
    series: readonly { source: string; symbol: string }[];
    horizonsS: readonly number[];
  },
): Promise<LastForecast[]> {
  if (query.series.length === 0 || query.horizonsS.length === 0) return [];
  const result = await pool.query<{ source: string; symbol: string; made_at: Date }>(
    `SELECT s.source, s.symbol, max(last.made_at) AS made_at
     FROM UNNEST($2::text[], $3::text[]) AS s(source, symbol)
     CROSS JOIN UNNEST($4::int[]) AS h(horizon_s)
     CROSS JOIN LATERAL (
       SELECT made_at FROM predictions p
       WHERE p.model = $1 AND p.source = s.source AND p.symbol = s.symbol
         AND p.horizon_s = h.horizon_s
       ORDER BY made_at DESC LIMIT 1
     ) last
     GROUP BY s.source, s.symbol
     ORDER BY s.source, s.symbol`,
    [
      query.model,
      query.series.map((s) => s.source),
      query.series.map((s) => s.symbol),
      query.horizonsS,
    ],
  );
  return result.rows.map((row) => ({
    source: row.source,
    symbol: row.symbol,
    madeAt: row.made_at.toISOString(),
  }));
}

export interface RealizedClose {
  source: string;
  symbol: string;
  /** The close time of the bar that realized the forecasts targeting it. */
  time: string;
  price: number;
}

/** Scores every unscored forecast of `model` whose target bar is one of `closes`. */
export async function scorePredictions(
  pool: pg.Pool,
  model: string,
  closes: readonly RealizedClose[],
): Promise<number> {
  if (closes.length === 0) return 0;
  const result = await pool.query(
    `UPDATE predictions p SET realized = c.price, scored_at = now()
     FROM UNNEST($2::text[], $3::text[], $4::timestamptz[], $5::float8[]) AS c(source, symbol, time, price)
     WHERE p.model = $1 AND p.source = c.source AND p.symbol = c.symbol
       AND p.target_at = c.time AND p.realized IS NULL`,
    [
      model,
      closes.map((c) => c.source),
      closes.map((c) => c.symbol),
      closes.map((c) => c.time),
      closes.map((c) => c.price),
    ],
  );
  return result.rowCount ?? 0;
}

export interface StoredPrediction extends PredictionRecord {
  realized: number | null;
  /** realized − point, once scored. */
  error: number | null;
  scoredAt: string | null;
}

interface PredictionRecordRow {
  model: string;
  source: string;
  symbol: string;
  horizon_s: number;
  made_at: Date;
  target_at: Date;
  algorithm: string;
  origin_price: number;
  point: number;
  lower: number;
  upper: number;
  confidence: number;
  signal: PredictionRecord['signal'];
}

interface PredictionRow extends PredictionRecordRow {
  realized: number | null;
  error: number | null;
  scored_at: Date | null;
}

function toRecord(row: PredictionRecordRow): PredictionRecord {
  return {
    model: row.model,
    algorithm: row.algorithm,
    source: row.source,
    symbol: row.symbol,
    horizonS: row.horizon_s,
    madeAt: row.made_at.toISOString(),
    targetAt: row.target_at.toISOString(),
    originPrice: row.origin_price,
    point: row.point,
    lower: row.lower,
    upper: row.upper,
    confidence: row.confidence,
    signal: row.signal,
  };
}

function toPrediction(row: PredictionRow): StoredPrediction {
  return {
    ...toRecord(row),
    realized: row.realized,
    error: row.error,
    scoredAt: row.scored_at?.toISOString() ?? null,
  };
}

/** The newest forecast per model, source, symbol and horizon. */
export async function latestPredictions(
  pool: pg.Pool,
  filter: { symbols?: readonly string[]; models?: readonly string[] } = {},
): Promise<StoredPrediction[]> {
  const result = await pool.query<PredictionRow>(
    `SELECT DISTINCT ON (model, source, symbol, horizon_s) ${COLUMNS}, realized, error, scored_at
     FROM predictions
     WHERE ($1::text[] IS NULL OR symbol = ANY($1)) AND ($2::text[] IS NULL OR model = ANY($2))
     ORDER BY model, source, symbol, horizon_s, made_at DESC`,
    [filter.symbols ?? null, filter.models ?? null],
  );
  return result.rows.map(toPrediction);
}

export interface HistoryQuery {
  model: string;
  symbol: string;
  /** Seconds ahead, as forecasts carry it: never a rounded name of it. */
  horizonS: number;
  from: Date;
  to: Date;
  source?: string;
  limit?: number;
}

/** Forecasts made in [from, to), oldest first, with the realized price where scored. */
export async function predictionHistory(
  pool: pg.Pool,
  query: HistoryQuery,
): Promise<StoredPrediction[]> {
  const result = await pool.query<PredictionRow>(
    `SELECT ${COLUMNS}, realized, error, scored_at FROM predictions
     WHERE model = $1 AND symbol = $2 AND horizon_s = $3 AND made_at >= $4 AND made_at < $5
       AND ($6::text IS NULL OR source = $6)
     ORDER BY made_at LIMIT $7`,
    [
      query.model,
      query.symbol,
      query.horizonS,
      query.from,
      query.to,
      query.source ?? null,
      query.limit ?? 10_000,
    ],
  );
  return result.rows.map(toPrediction);
}

/**
 * The backtest's metrics, computed in SQL over the scored forecasts of one series. ScoreMetrics
 * (libs/forecast) defines them; the SQL repeats its formulas so that the database aggregates
 * instead of sending every row, and a test holds it to ScoreAccumulator on the same data.
 */
export interface AccuracyRow extends ScoreMetrics {
  model: string;
  algorithm: string;
  source: string;
  symbol: string;
  horizonS: number;
  /** Share (0–1) of the scored forecasts whose realized price fell inside [lower, upper]. */
  intervalCoverage: number | null;
}

interface AccuracySqlRow {
  model: string;
  algorithm: string;
  source: string;
  symbol: string;
  horizon_s: number;
  n: string;
  mae: number | null;
  mape: number | null;
  rmse: number | null;
  directional: number | null;
  direction_calls: string;
  naive_mae: number | null;
  interval_coverage: number | null;
}

/**
 * Accuracy of scored forecasts per model, source, symbol and horizon: the backtest's
 * metrics (docs/FORECASTING.md), computed over live forecasts.
 */
export async function accuracy(pool: pg.Pool, query: AccuracyQuery): Promise<AccuracyRow[]> {
  const result = await pool.query<AccuracySqlRow>(
    `WITH ${WINDOWED_SCORED_SQL}
     SELECT model, max(algorithm) AS algorithm, source, symbol, horizon_s, count(*) AS n,
       avg(abs(point - realized)) AS mae,
       avg(abs(point - realized) / abs(realized))::float8 AS mape,
       sqrt(avg((point - realized) ^ 2)) AS rmse,
       avg(CASE WHEN sign(point - origin_price) = sign(realized - origin_price) THEN 1 ELSE 0 END)
         FILTER (WHERE point <> origin_price AND realized <> origin_price)::float8 AS directional,
       count(*) FILTER (WHERE point <> origin_price AND realized <> origin_price) AS direction_calls,
       avg(abs(origin_price - realized)) AS naive_mae,
       avg(CASE WHEN realized BETWEEN lower AND upper THEN 1 ELSE 0 END)::float8 AS interval_coverage
     FROM windowed
     GROUP BY model, source, symbol, horizon_s
     ORDER BY model, source, symbol, horizon_s`,
    windowedScoredParams(query),
  );
  return result.rows.map((row) => ({
    model: row.model,
    algorithm: row.algorithm,
    source: row.source,
    symbol: row.symbol,
    horizonS: row.horizon_s,
    n: Number(row.n),
    mae: row.mae,
    mape: row.mape,
    rmse: row.rmse,
    directionalAccuracy: row.directional,
    directionCalls: Number(row.direction_calls),
    naiveMae: row.naive_mae,
    skill: skillOf(row.mae, row.naive_mae),
    intervalCoverage: row.interval_coverage,
  }));
}
