import { isFreshHeartbeat, type Heartbeat, type HeartbeatOf } from '@cryptoviz/bus';
import { poolScores, type ScoreMetrics } from '@cryptoviz/forecast';
import { workerErrorProblem } from '@cryptoviz/market';
import { combineSkillTests, type SkillTest } from '@cryptoviz/resources';
import type { Role } from '@cryptoviz/workloads';

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

/** A predictor's skill verdict and p-value, once it has tested its skill. */
function skillTestOf(details: HeartbeatOf<'predictor'>['details']): SkillTest | undefined {
  if (details.skillVerdict === null) return undefined;
  return { verdict: details.skillVerdict, pValue: details.skillPValue };
}

const later = (a: string | undefined, b: string | null) =>
  b !== null && (a === undefined || b > a) ? b : a;

export function summariseHeartbeats(
  beats: readonly Heartbeat[],
  role: Role,
  resource: string,
  now = Date.now(),
): WorkerFacts {
  const mine = beats.filter((beat) => beat.role === role && beat.resource === resource);
  const fresh = mine.filter((beat) => isFreshHeartbeat(beat, now));
  const facts: WorkerFacts = { readyWorkers: new Set(fresh.map((b) => b.id)).size, published: 0 };
  const scores: ScoreMetrics[] = [];
  const skillTests: SkillTest[] = [];
  for (const beat of fresh) {
    if (beat.role === 'fetcher') {
      const { counters, details } = beat;
      facts.published += counters.ticksPublished;
      facts.lastDataTime = later(facts.lastDataTime, details.lastSuccessAt);
      const failing = counters.consecutiveFailures >= FAILURES_BEFORE_DEGRADED;
      if (failing && details.lastErrorKind && !facts.problem) {
        // A status is read by anyone who may list the resource: never the provider's words.
        facts.problem = workerErrorProblem(
          beat.id,
          details.lastErrorKind,
          details.lastErrorSummary,
        );
      }
    } else if (beat.role === 'predictor') {
      const { counters, details } = beat;
      facts.published += counters.predictionsPublished;
      facts.lastDataTime = later(facts.lastDataTime, details.lastPredictionAt);
      // Its pooled metrics (PredictorStatus.scores); a beat without them (an older predictor's) is left out.
      if (details.scores) scores.push(details.scores);
      const skillTest = skillTestOf(details);
      if (skillTest) skillTests.push(skillTest);
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
