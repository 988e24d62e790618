import type { Heartbeat } from '@cryptoviz/bus';
import { parseDuration, type Resource } from '@cryptoviz/resources';
import { WORKER_STALE_MS } from '../health/pipeline-health.ts';

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
    .map((b) => b.details.lastStoredAt)
    .filter((t): t is string => typeof t === 'string' && !Number.isNaN(Date.parse(t)));
  return times.length === 0 ? null : times.reduce((a, b) => (a > b ? a : b));
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
  const mine = beats.filter((b) => b.role === role && b.resource === resource.metadata.name);
  const ready = mine.filter((b) => nowMs - Date.parse(b.lastSeen) <= WORKER_STALE_MS);
  const errors = ready
    .map((b) => b.details.lastErrorKind)
    .filter((kind): kind is string => typeof kind === 'string' && kind.length > 0);
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
  conditions.push(
    ageMs === null
      ? { type: 'Flowing', status: 'Unknown', reason: 'NoDataYet', message: 'nothing stored yet' }
      : ageMs <= freshForMs
        ? {
            type: 'Flowing',
            status: 'True',
            reason: 'Fresh',
            message: `last data ${Math.round(ageMs / 1000)} s ago`,
          }
        : {
            type: 'Flowing',
            status: 'False',
            reason: 'Stale',
            message: `last data ${Math.round(ageMs / 1000)} s ago`,
          },
  );
  conditions.push(
    errors.length > 0
      ? {
          type: 'Degraded',
          status: 'True',
          reason: 'WorkerErrors',
          message: [...new Set(errors)].join(', '),
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
