export type Trust = 'trusted' | 'weak' | 'untrusted' | 'insufficient' | 'baseline';

export interface Verdict {
  trust: Trust;
  /** One sentence a user reads before acting on a signal. */
  reason: string;
}

/** Below this many scored forecasts, no metric means much. */
export const MIN_SCORED = 20;
/** Skill (1 − MAE/MAE_naive) a model must clear before its edge is more than noise. */
export const MIN_SKILL = 0.01;

/**
 * Whether a model's signals deserve trust, from its live scorecard: it must beat "the price
 * stays where it is" (skill > 0) by a margin, and call the direction right more often than not.
 */
export function verdict(score: {
  algorithm?: string;
  n: number;
  skill: number | null;
  directionalAccuracy: number | null;
}): Verdict {
  if (score.algorithm === 'naive') {
    return { trust: 'baseline', reason: 'The baseline: every other model is measured against it.' };
  }
  if (score.n < MIN_SCORED || score.skill === null) {
    return {
      trust: 'insufficient',
      reason: `Only ${score.n} scored forecast${score.n === 1 ? '' : 's'}: too few to judge.`,
    };
  }
  const edge = (score.skill * 100).toFixed(1);
  if (score.skill <= 0) {
    return {
      trust: 'untrusted',
      reason: `Worse than naive by ${(-score.skill * 100).toFixed(1)}%: assuming no change does better.`,
    };
  }
  const direction = score.directionalAccuracy;
  if (score.skill < MIN_SKILL || direction === null || direction <= 50) {
    return {
      trust: 'weak',
      reason: `Beats naive by ${edge}%${direction === null ? '' : `, direction right ${direction.toFixed(0)}% of the time`}: a thin edge.`,
    };
  }
  return {
    trust: 'trusted',
    reason: `Beats naive by ${edge}% and calls the direction right ${direction.toFixed(0)}% of the time.`,
  };
}
