import { SKILL_VERDICT_TEXT, type SkillVerdict } from '@cryptoviz/forecast/verdicts';
import { formatPValue } from './format.ts';

/** A model's standing against naive: the Diebold–Mariano test's verdict, or the baseline itself. */
export type Trust = SkillVerdict | 'baseline';

export interface Verdict {
  trust: Trust;
  /** "beats naive", "no detectable difference", "worse than naive", …: what the test found. */
  label: string;
  /** The test's two-sided p-value, shown beside the label; null where no test ran. */
  pValue: number | null;
  /** One sentence a user reads before acting on a signal. */
  reason: string;
}

/**
 * Whether a model's signals deserve trust, from its live scorecard. The verdict is the
 * Diebold–Mariano test's against naive ("the price stays where it is") over the same scored
 * forecasts, never the sign of the skill alone: a positive skill over a few noisy forecasts is
 * as likely luck as edge.
 */
export function verdict(score: {
  algorithm?: string;
  skill: number | null;
  significance: { verdict: SkillVerdict; pValue: number | null; n: number };
}): Verdict {
  if (score.algorithm === 'naive') {
    return {
      trust: 'baseline',
      label: 'baseline',
      pValue: null,
      reason: 'The baseline: every other model is measured against it.',
    };
  }
  const { verdict: trust, pValue, n } = score.significance;
  const label = SKILL_VERDICT_TEXT[trust];
  if (trust === 'too-few-pairs') {
    return {
      trust,
      label,
      pValue: null,
      reason: `Only ${n} scored forecast${n === 1 ? '' : 's'}: too few to test against naive.`,
    };
  }
  return { trust, label, pValue, reason: reading(trust, score.skill, formatPValue(pValue)) };
}

/** The test's finding in plain words, with how far the model's errors are from naive's. */
function reading(
  trust: Exclude<SkillVerdict, 'too-few-pairs'>,
  skill: number | null,
  p: string,
): string {
  const gap = skill === null ? null : `${(Math.abs(skill) * 100).toFixed(1)}%`;
  const side = skill !== null && skill > 0 ? 'smaller' : 'larger';
  switch (trust) {
    case 'beats-naive':
      return `Its errors are ${gap ? `${gap} ` : ''}smaller than assuming no change, a gap luck alone would rarely make (${p}).`;
    case 'no-detectable-difference':
      return `Its errors are ${gap ? `${gap} ${side}` : 'no different'} than assuming no change, a gap luck alone could make (${p}): no edge shown yet.`;
    case 'worse-than-naive':
      return `Assuming no change does better${gap ? `, by ${gap},` : ''} and not by luck (${p}).`;
  }
}
