import type { Heartbeat } from '@cryptoviz/bus';
import { poolScores, scoreMetricsSchema, type ScoreMetrics } from '@cryptoviz/forecast';
import { workerErrorProblem } from '@cryptoviz/market';
import { combineSkillTests, skillVerdictSchema, type SkillTest } from '@cryptoviz/resources';
import type { Role } from '@cryptoviz/workloads';

/** A worker that has not beaten for this long is not counted as ready. */
export const FRESH_HEARTBEAT_MS = 30_000;
/** Failures in a row before a worker's error becomes the resource's Degraded reason. */
const FAILURES_BEFORE_DEGRADED = 2;

/**
 * What makes a resource's condition False: its reason and message, as status shows them.
 * (The gateway's HealthProblem is a line of the pipeline health banner instead.)
 */
export interface ConditionProblem {
  reason: string;
  message: string;
}

/** A problem the workers report; `stopsData` when no data comes until someone acts. */
export interface WorkerProblem extends ConditionProblem {
  stopsData: boolean;
}

/** What the workers of one resource report through their heartbeats. */
export interface WorkerFacts {
  readyWorkers: number;
  /** Last tick (fetchers) or prediction (predictors) any worker published. */
  lastDataTime?: string;
  published: number;
  /** Share (0–1) of the workers' recent direction calls that were right, pooled. */
  accuracy?: number;
  /** 1 − MAE/MAE(naive) over the workers' recent forecasts, pooled. */
  skill?: number;
  /** The workers' significance tests of that skill, combined (combineSkillTests). */
  skillTest?: SkillTest;
  problem?: WorkerProblem;
}

/** A worker's skill verdict and p-value from its heartbeat's details, if it sent a valid one. */
function skillTestOf(details: Record<string, unknown>): SkillTest | undefined {
  const verdict = skillVerdictSchema.safeParse(details.skillVerdict);
  if (!verdict.success) return undefined;
  const p = details.skillPValue;
  const pValue = typeof p === 'number' && p >= 0 && p <= 1 ? p : null;
  return { verdict: verdict.data, pValue };
}

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const later = (a: string | undefined, b: unknown) =>
  typeof b === 'string' && (a === undefined || b > a) ? b : a;

export function summariseHeartbeats(
  beats: readonly Heartbeat[],
  role: Role,
  resource: string,
  now = Date.now(),
): WorkerFacts {
  const mine = beats.filter((beat) => beat.role === role && beat.resource === resource);
  const fresh = mine.filter((beat) => now - Date.parse(beat.lastSeen) < FRESH_HEARTBEAT_MS);
  const facts: WorkerFacts = { readyWorkers: new Set(fresh.map((b) => b.id)).size, published: 0 };
  const scores: ScoreMetrics[] = [];
  const skillTests: SkillTest[] = [];
  for (const beat of fresh) {
    const details = beat.details;
    facts.published += num(beat.counters.ticksPublished) + num(beat.counters.predictionsPublished);
    facts.lastDataTime = later(facts.lastDataTime, details.lastSuccessAt);
    facts.lastDataTime = later(facts.lastDataTime, details.lastPredictionAt);
    // A predictor's pooled metrics (PredictorStatus.scores); one that sent none is left out.
    const score = scoreMetricsSchema.safeParse(details.scores);
    if (score.success) scores.push(score.data);
    const skillTest = skillTestOf(details);
    if (skillTest) skillTests.push(skillTest);
    const kind = details.lastErrorKind;
    const failing = num(beat.counters.consecutiveFailures) >= FAILURES_BEFORE_DEGRADED;
    if (failing && typeof kind === 'string' && !facts.problem) {
      // A status is read by anyone who may list the resource: never the provider's words.
      facts.problem = workerErrorProblem(beat.id, kind, details.lastErrorSummary);
    }
  }
  // Pooled, not averaged: each worker weighs by what it scored (poolScores).
  const pooled = poolScores(scores);
  if (pooled.directionalAccuracy !== null) facts.accuracy = pooled.directionalAccuracy;
  if (pooled.skill !== null) facts.skill = pooled.skill;
  const skillTest = combineSkillTests(skillTests);
  if (skillTest) facts.skillTest = skillTest;
  return facts;
}
