import { isFreshHeartbeat, type Heartbeat, type HeartbeatOf } from '@cryptoviz/bus';
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
  accuracy?: number;
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
  const accuracies: number[] = [];
  const skills: number[] = [];
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
      if (details.accuracy !== null) accuracies.push(details.accuracy);
      if (details.skill !== null) skills.push(details.skill);
      const skillTest = skillTestOf(details);
      if (skillTest) skillTests.push(skillTest);
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  if (accuracies.length > 0) facts.accuracy = mean(accuracies);
  if (skills.length > 0) facts.skill = mean(skills);
  const skillTest = combineSkillTests(skillTests);
  if (skillTest) facts.skillTest = skillTest;
  return facts;
}
