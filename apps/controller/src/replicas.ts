import type { Resource } from '@cryptoviz/resources';
import { shardCount } from '@cryptoviz/workloads';

/** Messages one worker is expected to keep up with; more pending than this adds a worker. */
export const TARGET_PENDING_PER_WORKER = 1_000;

/** Workers a consumer's backlog asks for (0 when there is none or it is unknown). */
export function workersForLag(
  pending: number | undefined,
  perWorker = TARGET_PENDING_PER_WORKER,
): number {
  return pending === undefined || pending <= 0 ? 0 : Math.ceil(pending / perWorker);
}

/**
 * Workers a resource gets, from its symbols alone, within min/maxReplicas; an explicit
 * `spec.replicas` (the scale subresource) wins, and a suspended resource gets none. Not from a
 * backlog: fetchers have none, and predictors read through temporary per-symbol consumers,
 * which leave no shared backlog to measure.
 */
export function desiredReplicas(resource: Resource): number {
  if (resource.spec.suspend) return 0;
  return shardCount(resource.spec);
}

export interface WriterBounds {
  min: number;
  max: number;
}

/** Writers for the TICKS backlog, within bounds (there is always at least one). */
export function desiredWriters(pending: number | undefined, bounds: WriterBounds): number {
  return Math.min(bounds.max, Math.max(bounds.min, 1, workersForLag(pending)));
}
