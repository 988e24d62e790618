import type { Heartbeat } from '@cryptoviz/bus';
import type { Role } from '@cryptoviz/workloads';

/** A worker that has not beaten for this long is not counted as ready. */
export const FRESH_HEARTBEAT_MS = 30_000;
/** Failures in a row before a worker's error becomes the resource's Degraded reason. */
const FAILURES_BEFORE_DEGRADED = 2;

export interface Problem {
  reason: string;
  message: string;
}

/** What the workers of one resource report through their heartbeats. */
export interface WorkerFacts {
  readyWorkers: number;
  /** Last tick (fetchers) or prediction (predictors) any worker published. */
  lastDataTime?: string;
  published: number;
  accuracy?: number;
  skill?: number;
  problem?: Problem;
}

// Provider error kinds (libs/market) → condition reasons a user can act on.
const ERROR_REASONS: Record<string, { reason: string; hint: string }> = {
  'rate-limited': { reason: 'RateLimited', hint: 'lower the poll rate or raise rateLimit' },
  transient: { reason: 'ProviderUnreachable', hint: 'the provider is down or unreachable' },
  auth: { reason: 'AuthFailed', hint: 'check the key in the Secret named by apiKeySecretRef' },
  'unknown-symbol': { reason: 'UnknownSymbol', hint: 'fix symbols or add a symbolMap entry' },
  malformed: { reason: 'ProviderResponseInvalid', hint: 'the provider answered unexpectedly' },
  config: { reason: 'InvalidConfig', hint: 'check endpoint and provider settings' },
};

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
    const kind = details.lastErrorKind;
    const failing = num(beat.counters.consecutiveFailures) >= FAILURES_BEFORE_DEGRADED;
    if (failing && typeof kind === 'string' && !facts.problem) {
      const known = ERROR_REASONS[kind] ?? { reason: 'WorkerFailing', hint: kind };
      const detail = typeof details.lastErrorMessage === 'string' ? details.lastErrorMessage : '';
      facts.problem = {
        reason: known.reason,
        message: `${beat.id}: ${known.hint}${detail ? ` (${detail.slice(0, 200)})` : ''}`,
      };
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  if (accuracies.length > 0) facts.accuracy = mean(accuracies);
  if (skills.length > 0) facts.skill = mean(skills);
  return facts;
}
