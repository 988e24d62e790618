import {
  dieboldMariano,
  reliability,
  type DieboldMariano,
  type Reliability,
} from '@cryptoviz/forecast';
import type { AccuracyRow, SkillEvidence } from '@cryptoviz/store';

/** An accuracy row with what says whether its skill is real and its confidence honest. */
export interface AccuracyWithEvidence extends AccuracyRow {
  /** Diebold–Mariano test against naive over the series' newest scored pairs. */
  significance: DieboldMariano;
  /** Reliability of the confidence of its directional calls. */
  calibration: Reliability;
}

/**
 * How many consecutive forecasts' targets overlap: the horizon over the usual spacing of
 * made-at (the median gap, so a pause in the feed does not shrink it). An h-step forecast
 * made every bar overlaps the next h − 1, which is what the test's Newey–West lag must cover.
 * Taken from the data, not the model's spec: a deleted or changed model's history keeps the
 * spacing it was made with.
 */
export function horizonStepsOf(madeAtMs: readonly number[], horizonMs: number): number {
  if (madeAtMs.length < 2) return 1;
  const gaps = madeAtMs.slice(1).map((t, i) => t - madeAtMs[i]!);
  gaps.sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)]!;
  return median > 0 ? Math.max(1, Math.round(horizonMs / median)) : 1;
}

const keyOf = (s: { model: string; source: string; symbol: string; horizonS: number }) =>
  JSON.stringify([s.model, s.source, s.symbol, s.horizonS]);

/** Joins each accuracy row with the test and reliability its evidence gives. */
export function withSkillEvidence(
  rows: readonly AccuracyRow[],
  evidence: readonly SkillEvidence[],
): AccuracyWithEvidence[] {
  const bySeries = new Map(evidence.map((e) => [keyOf(e), e]));
  return rows.map((row) => {
    const e = bySeries.get(keyOf(row));
    const steps = e ? horizonStepsOf(e.madeAtMs, row.horizonS * 1000) : 1;
    return {
      ...row,
      significance: dieboldMariano(e?.modelLoss ?? [], e?.naiveLoss ?? [], steps),
      calibration: reliability(e?.callConfidence ?? [], e?.callOutcome ?? []),
    };
  });
}
