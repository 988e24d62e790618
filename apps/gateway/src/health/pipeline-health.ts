import {
  consumerLag,
  listHeartbeats,
  recentDeadLetters,
  type ConsumerLag,
  type DeadLetterSummary,
  type Heartbeat,
} from '@cryptoviz/bus';
import { parseDuration } from '@cryptoviz/resources';
import { databaseSizeBytes, sourceFreshness } from '@cryptoviz/store';
import type { GatewayDeps } from '../context.ts';
import type { Rates } from './ingest-rate.ts';

/** Workers beat every 5 s; three missed beats and we call one stale. */
export const WORKER_STALE_MS = 15_000;
/** A consumer this far behind is worth a warning. */
export const LAG_WARNING = 10_000;
const MIN_FRESHNESS_MS = 30_000;
const ROLES = ['fetcher', 'writer', 'predictor', 'controller', 'gateway'] as const;

export interface Problem {
  severity: 'error' | 'warning';
  message: string;
}

export interface WorkerView {
  id: string;
  role: Heartbeat['role'];
  resource: string | null;
  startedAt: string;
  lastSeen: string;
  ageS: number;
  stale: boolean;
  counters: Record<string, number>;
  lastError: { kind: string; message: string } | null;
}

export interface SourceFreshnessView {
  source: string;
  lastTickAt: string | null;
  ageS: number | null;
  stale: boolean;
  symbols: number;
}

export interface PipelineHealth {
  checkedAt: string;
  status: 'ok' | 'degraded' | 'down';
  problems: Problem[];
  workers: WorkerView[];
  roles: Record<(typeof ROLES)[number], { total: number; healthy: number }>;
  ingest: Rates;
  freshness: SourceFreshnessView[];
  lag: ConsumerLag[];
  database: { flavor: string; sizeBytes: number | null };
  deadLetters: { total: number; recent: DeadLetterSummary[] };
}

function workerView(beat: Heartbeat, nowMs: number): WorkerView {
  const ageMs = nowMs - Date.parse(beat.lastSeen);
  const kind = beat.details.lastErrorKind;
  const message = beat.details.lastErrorMessage;
  return {
    id: beat.id,
    role: beat.role,
    resource: beat.resource ?? null,
    startedAt: beat.startedAt,
    lastSeen: beat.lastSeen,
    ageS: Math.max(0, ageMs / 1000),
    stale: ageMs > WORKER_STALE_MS,
    counters: beat.counters,
    lastError:
      typeof kind === 'string' && kind
        ? { kind, message: typeof message === 'string' ? message : '' }
        : null,
  };
}

/** Settled value or a fallback, recording what could not be read as a problem. */
async function attempt<T>(
  problems: Problem[],
  what: string,
  read: () => Promise<T>,
  fallback: T,
  log: GatewayDeps['log'],
): Promise<T> {
  try {
    return await read();
  } catch (err) {
    log.warn({ err: (err as Error).message, what }, 'health: a check failed');
    problems.push({ severity: 'error', message: `${what} could not be read` });
    return fallback;
  }
}

/**
 * One look at the whole pipeline: who is running, whether data flows and is fresh, how far
 * consumers lag, and what went wrong lately, with the problems worth a banner spelled out.
 */
export async function collectPipelineHealth(
  deps: GatewayDeps,
  nowMs = Date.now(),
): Promise<PipelineHealth> {
  const problems: Problem[] = [];
  const [beats, freshness, lag, sizeBytes, deadLetters, resources] = await Promise.all([
    attempt(problems, 'worker heartbeats', () => listHeartbeats(deps.heartbeats), [], deps.log),
    attempt(problems, 'source freshness', () => sourceFreshness(deps.pool), [], deps.log),
    attempt(problems, 'consumer lag', () => consumerLag(deps.jsm, deps.topo), [], deps.log),
    attempt(problems, 'database size', () => databaseSizeBytes(deps.pool), null, deps.log),
    attempt(
      problems,
      'dead letters',
      () => recentDeadLetters(deps.jsm, deps.topo, 5),
      { total: 0, recent: [] },
      deps.log,
    ),
    deps.resources.list().catch(() => ({ resources: [], errors: [] })),
  ]);

  const workers = beats.map((b) => workerView(b, nowMs)).sort((a, b) => a.id.localeCompare(b.id));
  const roles = Object.fromEntries(
    ROLES.map((role) => {
      const of = workers.filter((w) => w.role === role);
      return [role, { total: of.length, healthy: of.filter((w) => !w.stale).length }];
    }),
  ) as PipelineHealth['roles'];

  if (roles.writer.healthy === 0) {
    problems.push({ severity: 'error', message: 'no writer is running: ticks are not stored' });
  }
  for (const w of workers) {
    if (w.stale) {
      problems.push({
        severity: 'warning',
        message: `${w.role} ${w.id} has not reported for ${Math.round(w.ageS)} s`,
      });
    }
    if (w.lastError && !w.stale) {
      problems.push({
        severity: 'warning',
        message: `${w.role} ${w.resource ?? w.id}: ${w.lastError.kind}: ${w.lastError.message}`,
      });
    }
  }

  const intervals = new Map<string, number>();
  for (const r of resources.resources) {
    if (r.kind === 'CryptoSource' && !r.spec.suspend) {
      intervals.set(r.metadata.name, parseDuration(r.spec.interval));
    }
  }
  const seen = new Map(freshness.map((f) => [f.source, f]));
  const freshnessViews: SourceFreshnessView[] = [...new Set([...intervals.keys(), ...seen.keys()])]
    .sort()
    .map((source) => {
      const f = seen.get(source);
      // Judged by arrival, not market time: a replay of old candles is fresh while it flows.
      const ageMs = f ? Math.max(0, nowMs - Date.parse(f.lastReceivedAt)) : null;
      const limitMs = Math.max(MIN_FRESHNESS_MS, 3 * (intervals.get(source) ?? 0));
      const declared = intervals.has(source);
      return {
        source,
        lastTickAt: f?.lastTickAt ?? null,
        ageS: ageMs === null ? null : ageMs / 1000,
        stale: declared && (ageMs === null || ageMs > limitMs),
        symbols: f?.symbols ?? 0,
      };
    });
  for (const f of freshnessViews) {
    if (!f.stale) continue;
    problems.push({
      severity: 'warning',
      message:
        f.ageS === null
          ? `source ${f.source} has not delivered a tick yet`
          : `source ${f.source}: newest tick is ${Math.round(f.ageS)} s old`,
    });
  }
  for (const l of lag) {
    if (l.pending >= LAG_WARNING) {
      problems.push({
        severity: 'warning',
        message: `consumer ${l.consumer} is ${l.pending} messages behind on ${l.stream}`,
      });
    }
  }

  const status = problems.some((p) => p.severity === 'error')
    ? 'down'
    : problems.length > 0
      ? 'degraded'
      : 'ok';
  return {
    checkedAt: new Date(nowMs).toISOString(),
    status,
    problems,
    workers,
    roles,
    ingest: deps.ingest.rates(),
    freshness: freshnessViews,
    lag,
    database: { flavor: deps.flavor, sizeBytes },
    deadLetters,
  };
}
