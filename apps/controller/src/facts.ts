import type { Heartbeat } from '@cryptoviz/bus';
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
  accuracy?: number;
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
  const accuracies: number[] = [];
  const skills: number[] = [];
  const skillTests: SkillTest[] = [];
  for (const beat of fresh) {
    const details = beat.details;
    facts.published += num(beat.counters.ticksPublished) + num(beat.counters.predictionsPublished);
    facts.lastDataTime = later(facts.lastDataTime, details.lastSuccessAt);
    facts.lastDataTime = later(facts.lastDataTime, details.lastPredictionAt);
    if (typeof details.accuracy === 'number' && Number.isFinite(details.accuracy)) {
      accuracies.push(details.accuracy);
    }
    if (typeof details.skill === 'number' && Number.isFinite(details.skill)) {
      skills.push(details.skill);
    }
    const skillTest = skillTestOf(details);
    if (skillTest) skillTests.push(skillTest);
    const kind = details.lastErrorKind;
    const failing = num(beat.counters.consecutiveFailures) >= FAILURES_BEFORE_DEGRADED;
    if (failing && typeof kind === 'string' && !facts.problem) {
      // A status is read by anyone who may list the resource: never the provider's words.
      facts.problem = workerErrorProblem(beat.id, kind, details.lastErrorSummary);
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  if (accuracies.length > 0) facts.accuracy = mean(accuracies);
  if (skills.length > 0) facts.skill = mean(skills);
  const skillTest = combineSkillTests(skillTests);
  if (skillTest) facts.skillTest = skillTest;
  return facts;
}
