export interface AccuracyQuery {
  model?: string;
  symbol?: string;
  /** Seconds ahead, as forecasts carry it. */
  horizonS?: number;
  /** Only forecasts scored since then (by the clock). */
  since?: Date;
  /**
   * Only forecasts whose target lies within this many ms of the series' newest scored target:
   * a window in the series' own time, so "the last 7 days" of a replay of 2018 are 7 days of
   * 2018, not the years a fast replay scores in a week.
   */
  seriesWindowMs?: number;
}

/**
 * The scored forecasts an accuracy query covers, as the CTE `windowed`: its filters are
 * $1 since, $2 model, $3 symbol, $4 horizon_s, $5 series window in ms. Shared by the metrics
 * and the per-pair evidence, so both read the same forecasts.
 */
export const WINDOWED_SCORED_SQL = `scored AS (
       SELECT *, max(target_at) OVER (PARTITION BY model, source, symbol, horizon_s) AS newest
       FROM predictions
       WHERE realized IS NOT NULL AND ($1::timestamptz IS NULL OR scored_at >= $1)
         AND ($2::text IS NULL OR model = $2) AND ($3::text IS NULL OR symbol = $3)
         AND ($4::int IS NULL OR horizon_s = $4)
     ),
     windowed AS (
       SELECT * FROM scored
       WHERE $5::float8 IS NULL OR target_at > newest - make_interval(secs => $5 / 1000)
     )`;

/** The parameters of WINDOWED_SCORED_SQL, in order. */
export function windowedScoredParams(query: AccuracyQuery): unknown[] {
  return [
    query.since ?? null,
    query.model ?? null,
    query.symbol ?? null,
    query.horizonS ?? null,
    query.seriesWindowMs ?? null,
  ];
}
