/** What a Diebold–Mariano test of a model against naive concludes; pure, for any reader. */
export type SkillVerdict =
  'beats-naive' | 'no-detectable-difference' | 'worse-than-naive' | 'too-few-pairs';

/** How a verdict reads to a person (dashboard, CLI). */
export const SKILL_VERDICT_TEXT: Readonly<Record<SkillVerdict, string>> = Object.freeze({
  'beats-naive': 'beats naive',
  'no-detectable-difference': 'no detectable difference',
  'worse-than-naive': 'worse than naive',
  'too-few-pairs': 'too few scored forecasts',
});
