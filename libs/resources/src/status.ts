import { z } from 'zod';
import { SKILL_VERDICT_TEXT, type SkillVerdict } from '@cryptoviz/forecast/verdicts';

export const CONDITION_TYPES = ['Ready', 'Progressing', 'Degraded'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** A Kubernetes-style condition (the shape of metav1.Condition). */
export const conditionSchema = z.strictObject({
  type: z.string().min(1).max(316),
  status: z.enum(['True', 'False', 'Unknown']),
  /** CamelCase, machine-readable; what a user can act on (SecretMissing, RateLimited, …). */
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/),
  message: z.string().max(32_768),
  lastTransitionTime: z.iso.datetime(),
  observedGeneration: z.int().min(0).optional(),
});
export type Condition = z.output<typeof conditionSchema>;

const time = z.iso.datetime();

const workerStatusShape = {
  /** The spec generation this status describes. */
  observedGeneration: z.int().min(0),
  conditions: z
    .array(conditionSchema)
    .max(16)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  /** Workers wanted (read by the `scale` subresource). */
  replicas: z.int().min(0),
  /** Workers whose heartbeat is fresh. */
  readyWorkers: z.int().min(0),
  /** `ready/wanted`, for `kubectl get`. */
  ready: z.string().max(16),
  /** Label selector of the workers' pods (read by the `scale` subresource). */
  selector: z.string().max(1024),
  symbolCount: z.int().min(0),
};

export const cryptoSourceStatusSchema = z
  .strictObject({
    ...workerStatusShape,
    /** When a worker last published a tick. */
    lastTickTime: time,
    ticksPublished: z.int().min(0),
  })
  .partial();
export type CryptoSourceStatus = z.output<typeof cryptoSourceStatusSchema>;

/** The verdicts a significance test gives, from the library that gives them. */
export const skillVerdictSchema = z.enum(
  Object.keys(SKILL_VERDICT_TEXT) as [SkillVerdict, ...SkillVerdict[]],
);

/** One significance test's outcome, as a worker reports it and a status shows it. */
export interface SkillTest {
  verdict: SkillVerdict;
  pValue: number | null;
}

/** Worst first: a combined verdict is the first of these any test gave. */
const VERDICT_ORDER: readonly SkillVerdict[] = [
  'worse-than-naive',
  'no-detectable-difference',
  'beats-naive',
];

/**
 * One verdict from the tests of many series and horizons (a worker's) or of many workers (a
 * model's): the weakest. A model beats naive only where every tested series does, and is worse
 * where any one is; series with too few pairs are left out, unless no series has enough. The
 * losses are not pooled instead: absolute errors of BTC and of a cheaper coin are on scales a
 * thousand times apart, and the larger would decide alone. The p-value is the deciding test's:
 * for "beats naive" the weakest evidence (largest p), otherwise the strongest (smallest p).
 * Null when there is no test at all.
 */
export function combineSkillTests(tests: Iterable<SkillTest>): SkillTest | null {
  let combined: SkillTest | null = null;
  const rank = (verdict: SkillVerdict) => {
    const index = VERDICT_ORDER.indexOf(verdict);
    return index < 0 ? VERDICT_ORDER.length : index; // too few pairs: after any tested verdict
  };
  for (const test of tests) {
    if (combined === null || rank(test.verdict) < rank(combined.verdict)) {
      combined = { ...test };
      continue;
    }
    if (test.verdict !== combined.verdict || test.pValue === null) continue;
    if (combined.pValue === null) combined.pValue = test.pValue;
    else if (test.verdict === 'beats-naive')
      combined.pValue = Math.max(combined.pValue, test.pValue);
    else combined.pValue = Math.min(combined.pValue, test.pValue);
  }
  return combined;
}

export const predictionModelStatusSchema = z
  .strictObject({
    ...workerStatusShape,
    /** When a worker last published a prediction. */
    lastPredictionTime: time,
    /** Share (0–1) of recent direction calls that came true, pooled over the workers (poolScores). */
    accuracy: z.number().min(0).max(1),
    /** 1 − MAE/MAE(naive) over the same forecasts: above 0 the model beats "no change". */
    skill: z.number().min(-1000).max(1),
    /**
     * What a Diebold–Mariano test against naive says of that skill (docs/FORECASTING.md): the
     * sign of `skill` alone could be luck. Over many series, the weakest (see combineSkillTests).
     */
    skillVerdict: skillVerdictSchema,
    /** The two-sided p-value of the test behind `skillVerdict`; absent with too few pairs. */
    skillPValue: z.number().min(0).max(1),
    predictionsPublished: z.int().min(0),
  })
  .partial();
export type PredictionModelStatus = z.output<typeof predictionModelStatusSchema>;
