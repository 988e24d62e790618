import type { ScoreMetrics, SkillVerdict } from '@cryptoviz/forecast';
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

/** The worker's status from its series book and what its persister stored and published. */
export function predictorStatus(
  book: SeriesBook,
  persister: Persister,
  ignoredTicks: number,
): PredictorStatus {
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
}
