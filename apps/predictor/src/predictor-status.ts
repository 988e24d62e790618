import { poolScores, type ScoreMetrics, type SkillVerdict } from '@cryptoviz/forecast';
import { combineSkillTests } from '@cryptoviz/resources';
import type { Persister } from './persist.ts';
import type { SeriesBook } from './series-book.ts';

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
  /** Share (0–1) of recent scored forecasts whose direction was right, over every series. */
  accuracy: number | null;
  /** 1 − MAE/MAE(naive) over the same forecasts. */
  skill: number | null;
  /**
   * The live metrics of every series and horizon pooled (poolScores): what the controller pools
   * again over workers, so that a resource's figures weigh each worker by what it scored.
   */
  scores: ScoreMetrics;
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

/** The worker's status from its series book and what its persister stored and published. */
export function predictorStatus(
  book: SeriesBook,
  persister: Persister,
  ignoredTicks: number,
): PredictorStatus {
  const bySeries = book.accuracy();
  const scores = poolScores(Object.values(bySeries).flatMap((h) => Object.values(h)));
  const verdict = combineSkillTests(book.significance());
  return {
    series: book.size,
    predictionsPublished: persister.predictionsPublished,
    scored: persister.scored,
    ignoredTicks,
    lastPredictionAt: persister.lastPredictionAt,
    lastStoredAt: persister.lastStoredAt,
    accuracy: scores.directionalAccuracy,
    skill: scores.skill,
    scores,
    skillVerdict: verdict?.verdict ?? null,
    skillPValue: verdict?.pValue ?? null,
    bySeries,
  };
}
