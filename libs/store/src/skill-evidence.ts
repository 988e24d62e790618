import type pg from 'pg';
import { WINDOWED_SCORED_SQL, windowedScoredParams, type AccuracyQuery } from './scored-window.ts';

/**
 * What a significance test and a reliability diagram need of one series, beyond its metrics:
 * the scored forecasts one by one, oldest first. At most the newest `maxPairs` of the window,
 * so a response stays bounded however fine the series.
 */
export interface SkillEvidence {
  model: string;
  source: string;
  symbol: string;
  horizonS: number;
  /** When each scored forecast was made, epoch ms, oldest first. */
  madeAtMs: number[];
  /** |point − realized| of each, in the same order. */
  modelLoss: number[];
  /** |origin − realized|: naive's ("the price stays") loss on the same target. */
  naiveLoss: number[];
  /** Confidence of each directional call (confidence > 0, a forecast move and a realized one). */
  callConfidence: number[];
  /** 1 when that call's direction came true, 0 when not; same order as callConfidence. */
  callOutcome: number[];
}

interface EvidenceRow {
  model: string;
  source: string;
  symbol: string;
  horizon_s: number;
  made_at_ms: number[];
  model_loss: number[];
  naive_loss: number[];
  call_confidence: number[] | null;
  call_outcome: number[] | null;
}

/** A directional call that can be judged: the model called a move and the price moved. */
const CALLED = 'confidence > 0 AND point <> origin_price AND realized <> origin_price';

/** Per-pair losses and directional calls of each series an accuracy query covers. */
export async function skillEvidence(
  pool: pg.Pool,
  query: AccuracyQuery & { maxPairs: number },
): Promise<SkillEvidence[]> {
  const result = await pool.query<EvidenceRow>(
    `WITH ${WINDOWED_SCORED_SQL},
     newest AS (
       SELECT *, row_number() OVER (
         PARTITION BY model, source, symbol, horizon_s ORDER BY made_at DESC) AS recency
       FROM windowed
     )
     SELECT model, source, symbol, horizon_s,
       array_agg((extract(epoch FROM made_at) * 1000)::float8 ORDER BY made_at) AS made_at_ms,
       array_agg(abs(point - realized) ORDER BY made_at) AS model_loss,
       array_agg(abs(origin_price - realized) ORDER BY made_at) AS naive_loss,
       array_agg(confidence ORDER BY made_at) FILTER (WHERE ${CALLED}) AS call_confidence,
       array_agg(CASE WHEN sign(point - origin_price) = sign(realized - origin_price)
                 THEN 1 ELSE 0 END ORDER BY made_at) FILTER (WHERE ${CALLED}) AS call_outcome
     FROM newest WHERE recency <= $6
     GROUP BY model, source, symbol, horizon_s
     ORDER BY model, source, symbol, horizon_s`,
    [...windowedScoredParams(query), query.maxPairs],
  );
  return result.rows.map((row) => ({
    model: row.model,
    source: row.source,
    symbol: row.symbol,
    horizonS: row.horizon_s,
    madeAtMs: row.made_at_ms,
    modelLoss: row.model_loss,
    naiveLoss: row.naive_loss,
    callConfidence: row.call_confidence ?? [],
    callOutcome: row.call_outcome ?? [],
  }));
}
