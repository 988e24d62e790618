import type {
  Condition,
  CryptoSourceStatus,
  PredictionModelStatus,
  Resource,
} from '@cryptoviz/resources';
import type { ConditionProblem, WorkerFacts } from './facts.ts';
import { describeRollout, isRollingOut, type Rollout } from './rollout.ts';

/** The status subresource of each kind, as its CRD's schema (libs/resources) defines it. */
interface StatusOf {
  CryptoSource: CryptoSourceStatus;
  PredictionModel: PredictionModelStatus;
}
export type ResourceStatus = StatusOf[Resource['kind']];

export interface Observation {
  generation: number;
  /** Workers of the spec that runs: the current one, or the last good one while it is invalid. */
  wanted: number;
  selector: string;
  symbolCount: number;
  suspended: boolean;
  /** What the workers report; undefined while heartbeats cannot be read (NATS away). */
  facts: WorkerFacts | undefined;
  /** How far the workers' rollout has come; undefined where the platform has none (local). */
  rollout?: Rollout;
  /** A problem the controller found itself (InvalidSpec, SecretMissing, …). */
  problem?: ConditionProblem;
  /** What keeps the workers from running, as their platform says (ImagePullFailed, …). */
  workloadProblem?: ConditionProblem;
}

type Desired = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

function readyWorkers(observation: Observation): number {
  return Math.min(observation.facts?.readyWorkers ?? 0, observation.wanted);
}

function heartbeatMessage(observation: Observation): string {
  return `${readyWorkers(observation)}/${observation.wanted} workers are sending heartbeats`;
}

/**
 * After a finished rollout the workers run and have passed their readiness probe, which needs
 * NATS: a worker that sends no heartbeat then has lost NATS since.
 */
function missingHeartbeatsMessage(observation: Observation): string {
  const counted = heartbeatMessage(observation);
  return observation.rollout
    ? `${counted}; a worker that runs but sends none cannot reach NATS (its log says why: kubectl logs -l ${observation.selector} in the resource's namespace)`
    : counted;
}

/** Only a finished rollout is judged by heartbeats: until then the old workers still beat. */
function readyCondition(observation: Observation): Desired {
  const { problem, suspended, rollout, facts } = observation;
  const ready = (status: Desired['status'], reason: string, message: string): Desired => ({
    type: 'Ready',
    status,
    reason,
    message,
  });
  if (suspended) return ready('False', 'Suspended', 'spec.suspend is true');
  if (problem?.reason === 'InvalidSpec') return ready('False', problem.reason, problem.message);
  // A worker that cannot run keeps a rollout from ever finishing: say why, not how far it got.
  const stuck = observation.workloadProblem;
  if (stuck) return ready('False', stuck.reason, stuck.message);
  if (isRollingOut(rollout)) return ready('False', 'RollingOut', describeRollout(rollout));
  if (!facts) {
    return ready(
      'Unknown',
      'HeartbeatsUnavailable',
      'the controller cannot read worker heartbeats (is NATS reachable?)',
    );
  }
  // Workers that beat but can publish nothing until someone acts (a missing replay file, a
  // refused key) are not ready, however fresh their heartbeats.
  if (facts.problem?.stopsData) return ready('False', facts.problem.reason, facts.problem.message);
  return readyWorkers(observation) >= observation.wanted
    ? ready('True', 'WorkersReady', heartbeatMessage(observation))
    : ready('False', 'WorkersNotReady', missingHeartbeatsMessage(observation));
}

function progressingCondition(observation: Observation): Desired {
  const { rollout, facts, suspended, wanted } = observation;
  if (isRollingOut(rollout)) {
    return {
      type: 'Progressing',
      status: 'True',
      reason: 'RollingOut',
      message: describeRollout(rollout),
    };
  }
  if (!suspended && facts && readyWorkers(observation) < wanted) {
    return {
      type: 'Progressing',
      status: 'True',
      reason: 'WaitingForWorkers',
      message: heartbeatMessage(observation),
    };
  }
  return { type: 'Progressing', status: 'False', reason: 'Stable', message: 'nothing to roll out' };
}

function degradedCondition(observation: Observation): Desired {
  const problem = observation.problem ?? observation.workloadProblem ?? observation.facts?.problem;
  return problem
    ? { type: 'Degraded', status: 'True', reason: problem.reason, message: problem.message }
    : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'no problem found' };
}

function conditionsFor(observation: Observation): Desired[] {
  return [
    readyCondition(observation),
    progressingCondition(observation),
    degradedCondition(observation),
  ];
}

/**
 * The status subresource for an observation. A condition keeps its lastTransitionTime while its
 * status stays the same, so an unchanged world yields an identical status (and no write).
 */
export function buildStatus<K extends Resource['kind']>(
  kind: K,
  observation: Observation,
  previous: readonly Condition[] | undefined,
  now: string,
): StatusOf[K] & { conditions: Condition[] } {
  const conditions: Condition[] = conditionsFor(observation).map((desired) => {
    const before = previous?.find((c) => c.type === desired.type);
    const lastTransitionTime =
      before && before.status === desired.status ? before.lastTransitionTime : now;
    return { ...desired, lastTransitionTime, observedGeneration: observation.generation };
  });
  const facts = observation.facts;
  const ready = readyWorkers(observation);
  const common = {
    observedGeneration: observation.generation,
    conditions,
    replicas: observation.wanted,
    readyWorkers: ready,
    ready: `${ready}/${observation.wanted}`,
    selector: observation.selector,
    symbolCount: observation.symbolCount,
  };
  if (kind === 'CryptoSource') {
    const status: CryptoSourceStatus & typeof common = { ...common };
    if (facts?.lastDataTime) status.lastTickTime = facts.lastDataTime;
    if (facts) status.ticksPublished = facts.published;
    return status;
  } else {
    const status: PredictionModelStatus & typeof common = { ...common };
    if (facts?.lastDataTime) status.lastPredictionTime = facts.lastDataTime;
    if (facts?.accuracy !== undefined) status.accuracy = Number(facts.accuracy.toFixed(4));
    if (facts?.skill !== undefined) status.skill = Number(facts.skill.toFixed(4));
    if (facts?.skillTest) {
      status.skillVerdict = facts.skillTest.verdict;
      // Rounded like the other figures, but never to 0: a tiny p-value is not an impossible one.
      if (facts.skillTest.pValue !== null) {
        status.skillPValue = Number(facts.skillTest.pValue.toPrecision(3));
      }
    }
    if (facts) status.predictionsPublished = facts.published;
    return status;
  }
}

/** Progress, not trouble: a new resource waiting for its workers is not worth a warning. */
const EXPECTED_REASONS = new Set([
  'WorkersReady',
  'WorkersNotReady',
  'WaitingForWorkers',
  'RollingOut',
  'Stable',
  'AsExpected',
]);

/** Whether a condition is something a user should look at (a Warning Event). */
export function isTrouble(condition: Pick<Condition, 'type' | 'status' | 'reason'>): boolean {
  if (EXPECTED_REASONS.has(condition.reason) || condition.reason === 'Suspended') return false;
  return condition.type === 'Degraded' ? condition.status === 'True' : condition.status !== 'True';
}

/**
 * Conditions that deserve an Event: changes of status or reason, and trouble seen for the first
 * time. A brand-new, healthy resource makes no Events (with a thousand of them, that matters).
 */
export function transitions(
  before: readonly Condition[] | undefined,
  after: readonly Condition[],
): Condition[] {
  return after.filter((condition) => {
    const old = before?.find((c) => c.type === condition.type);
    if (!old) return isTrouble(condition);
    return old.status !== condition.status || old.reason !== condition.reason;
  });
}
