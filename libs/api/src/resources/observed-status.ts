import { isFreshHeartbeat, type Heartbeat } from '@cryptoviz/bus';
import {
  parseDuration,
  refOf,
  resourceKey,
  resourceKeyOf,
  type Resource,
} from '@cryptoviz/resources';
import { sourceFinished } from '../health/finished.ts';
import { currentProblems } from './worker-problems.ts';

export interface ObservedCondition {
  type: 'Ready' | 'Flowing' | 'Degraded';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface ObservedStatus {
  workers: number;
  readyWorkers: number;
  /** Last tick (sources) or last forecast (models), ISO-8601. */
  lastDataAt: string | null;
  conditions: ObservedCondition[];
}

const MIN_FRESH_MS = 30_000;

/**
 * When a model's workers last stored forecasts, by the clock. Their forecasts' own times are
 * event times, which for a replay are years old however busy the model is.
 */
function lastStoredByWorkers(beats: readonly Heartbeat[]): string | null {
  const times = beats
    .flatMap((b) =>
      b.role === 'predictor' && b.details.lastStoredAt ? [b.details.lastStoredAt] : [],
    )
    .filter((t) => !Number.isNaN(Date.parse(t)));
  return times.length === 0 ? null : times.reduce((a, b) => (a > b ? a : b));
}

/**
 * Whether a resource has played all its data: a source, when its replay has; a model, when
 * every source it reads has (it gets no more bars, so it makes no more forecasts).
 */
function finishedReplay(resource: Resource, beats: readonly Heartbeat[], nowMs: number): boolean {
  const { namespace, name } = refOf(resource);
  // A model's sources are named in its own namespace.
  const sources = (resource.kind === 'CryptoSource' ? [name] : resource.spec.sources).map(
    (source) => resourceKey({ namespace, name: source }),
  );
  const fetchersOf = (source: string) =>
    beats.filter(
      (b) => b.role === 'fetcher' && b.resource === source && isFreshHeartbeat(b, nowMs),
    );
  return sources.length > 0 && sources.every((source) => sourceFinished(fetchersOf(source)));
}

/** Whether data flows: by how old the last of it is, unless the replay played it all. */
function flowing(
  resource: Resource,
  finished: boolean,
  ageMs: number | null,
  freshForMs: number,
): ObservedCondition {
  if (finished) {
    return {
      type: 'Flowing',
      status: 'False',
      reason: 'Finished',
      message:
        resource.kind === 'CryptoSource'
          ? 'the replay has played all its data'
          : 'the replays it reads have played all their data',
    };
  }
  if (ageMs === null) {
    return {
      type: 'Flowing',
      status: 'Unknown',
      reason: 'NoDataYet',
      message: 'nothing stored yet',
    };
  }
  const fresh = ageMs <= freshForMs;
  return {
    type: 'Flowing',
    status: fresh ? 'True' : 'False',
    reason: fresh ? 'Fresh' : 'Stale',
    message: `last data ${Math.round(ageMs / 1000)} s ago`,
  };
}

/**
 * Conditions as a user reads them, derived from what the gateway can see: the workers'
 * heartbeats and the newest data. Locally no controller writes `.status`; in a cluster the
 * controller's conditions are the authority and these are a live second opinion.
 */
export function observeStatus(
  resource: Resource,
  beats: readonly Heartbeat[],
  lastDataAt: string | null,
  nowMs = Date.now(),
): ObservedStatus {
  const role = resource.kind === 'CryptoSource' ? 'fetcher' : 'predictor';
  const mine = beats.filter((b) => b.role === role && b.resource === resourceKeyOf(resource));
  const ready = mine.filter((b) => isFreshHeartbeat(b, nowMs));
  const problems = currentProblems(ready);
  const blocking = problems.find((problem) => problem.stopsData);
  const conditions: ObservedCondition[] = [];

  if (resource.spec.suspend) {
    conditions.push({
      type: 'Ready',
      status: 'False',
      reason: 'Suspended',
      message: 'spec.suspend is true',
    });
  } else if (ready.length === 0) {
    conditions.push({
      type: 'Ready',
      status: 'False',
      reason: 'NoWorkers',
      message: `no ${role} reports for this ${resource.kind}`,
    });
  } else if (blocking) {
    // Beating, but publishing nothing until someone acts (a missing replay file): not ready.
    conditions.push({
      type: 'Ready',
      status: 'False',
      reason: blocking.reason,
      message: blocking.message,
    });
  } else {
    conditions.push({
      type: 'Ready',
      status: 'True',
      reason: 'WorkersReporting',
      message: `${ready.length} ${role}${ready.length === 1 ? '' : 's'} reporting`,
    });
  }

  // Sources tick every interval; models forecast every bar (interval): 3 missed is stale.
  const expectedEveryMs = parseDuration(resource.spec.interval);
  const freshForMs = Math.max(MIN_FRESH_MS, 3 * expectedEveryMs);
  const lastWorkAt = lastStoredByWorkers(ready) ?? lastDataAt;
  const ageMs = lastWorkAt ? nowMs - Date.parse(lastWorkAt) : null;
  conditions.push(flowing(resource, finishedReplay(resource, beats, nowMs), ageMs, freshForMs));
  conditions.push(
    problems.length > 0
      ? {
          type: 'Degraded',
          status: 'True',
          reason:
            new Set(problems.map((p) => p.reason)).size === 1
              ? problems[0]!.reason
              : 'WorkerErrors',
          message: problems.map((p) => p.message).join('; '),
        }
      : {
          type: 'Degraded',
          status: 'False',
          reason: 'NoErrors',
          message: 'workers report no errors',
        },
  );
  return { workers: mine.length, readyWorkers: ready.length, lastDataAt, conditions };
}
