import {
  consumerLag,
  listHeartbeats,
  recentDeadLetters,
  type ConsumerLag,
  type DeadLetterSummary,
  type Heartbeat,
} from '@cryptoviz/bus';
import {
  parseDuration,
  type CryptoSource,
  type Resource,
  refOf,
  resourceKey,
} from '@cryptoviz/resources';
import {
  databaseSizeBytes,
  sourceFreshness,
  storedModelsExcept,
  tickStorageStats,
  type SourceFreshness,
  type StoredModel,
  type TickStorageStats,
} from '@cryptoviz/store';
import type { GatewayDeps } from '../context.ts';
import { sourceFinished } from './finished.ts';
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
  /**
   * `message` never quotes a provider (a public summary); `detail`, the full scrubbed
   * message, is there only for callers who presented the gateway token.
   */
  lastError: { kind: string; message: string; detail?: string } | null;
}

/** Who asks: provider excerpts in error messages are shown only to authenticated callers. */
export interface HealthViewer {
  authenticated: boolean;
}

/** What a public caller reads when a worker reports no summary of its own. */
const NO_SUMMARY = 'the message is shown to authenticated callers';

/**
 * How a source delivers: `fresh` (on time), `stale` (late), `waiting` (no tick yet),
 * `finished` (a replay that played all its data), `suspended` (`spec.suspend`).
 */
export type FreshnessState = 'fresh' | 'stale' | 'waiting' | 'finished' | 'suspended';

export interface SourceFreshnessView {
  source: string;
  /** The newest tick's own time: market time, years ago for a replay. */
  lastTickAt: string | null;
  /** Seconds since the newest tick arrived (wall time). */
  ageS: number | null;
  /** Late or silent while it should deliver (`stale` or `waiting`): worth a warning. */
  stale: boolean;
  state: FreshnessState;
  symbols: number;
}

/** A source that is no longer declared but whose ticks are kept: history, not a live market. */
export interface RetiredSourceView {
  source: string;
  lastTickAt: string;
  symbols: number;
}

export interface PipelineHealth {
  checkedAt: string;
  status: 'ok' | 'degraded' | 'down';
  problems: Problem[];
  workers: WorkerView[];
  roles: Record<(typeof ROLES)[number], { total: number; healthy: number }>;
  ingest: Rates;
  /** Declared sources (every stored one while the resources cannot be listed). */
  freshness: SourceFreshnessView[];
  /** Deleted sources whose history stays queryable. */
  retired: RetiredSourceView[];
  /** Deleted models whose forecasts stay queryable (none while the resources cannot be listed). */
  retiredModels: StoredModel[];
  lag: ConsumerLag[];
  /** Which storage flavor, its size, and on TimescaleDB its chunks and compression. */
  database: { flavor: string; sizeBytes: number | null } & TickStorageStats;
  deadLetters: { total: number; recent: DeadLetterSummary[] };
}

function lastErrorView(beat: Heartbeat, viewer: HealthViewer): WorkerView['lastError'] {
  const { lastErrorKind: kind, lastErrorSummary: summary, lastErrorMessage: detail } = beat.details;
  if (typeof kind !== 'string' || !kind) return null;
  const message = typeof summary === 'string' ? summary : NO_SUMMARY;
  return viewer.authenticated && typeof detail === 'string'
    ? { kind, message, detail }
    : { kind, message };
}

function workerView(beat: Heartbeat, nowMs: number, viewer: HealthViewer): WorkerView {
  const ageMs = nowMs - Date.parse(beat.lastSeen);
  return {
    id: beat.id,
    role: beat.role,
    resource: beat.resource ?? null,
    startedAt: beat.startedAt,
    lastSeen: beat.lastSeen,
    ageS: Math.max(0, ageMs / 1000),
    stale: ageMs > WORKER_STALE_MS,
    counters: beat.counters,
    lastError: lastErrorView(beat, viewer),
  };
}

function stateOf(source: {
  suspended: boolean;
  finished: boolean;
  ageMs: number | null;
  limitMs: number;
}): FreshnessState {
  if (source.suspended) return 'suspended';
  if (source.finished) return 'finished';
  if (source.ageMs === null) return 'waiting';
  return source.ageMs > source.limitMs ? 'stale' : 'fresh';
}

/**
 * Each declared source's state, and the stored sources no longer declared (retired). Without
 * a listing (`resources` null) every stored source is judged, by the shortest interval.
 */
export function judgeFreshness(
  stored: readonly SourceFreshness[],
  resources: readonly Resource[] | null,
  reportingFetchers: readonly Heartbeat[],
  nowMs: number,
): { freshness: SourceFreshnessView[]; retired: RetiredSourceView[] } {
  const declared = new Map<string, CryptoSource>();
  for (const r of resources ?? []) {
    if (r.kind === 'CryptoSource') declared.set(resourceKey(refOf(r)), r);
  }
  const seen = new Map(stored.map((f) => [f.source, f]));
  const names = resources ? [...declared.keys()] : [...seen.keys()];
  const freshness = names.sort().map((source): SourceFreshnessView => {
    const f = seen.get(source);
    const spec = declared.get(source)?.spec;
    // Judged by arrival, not market time: a replay of old candles is fresh while it flows.
    const ageMs = f ? Math.max(0, nowMs - Date.parse(f.lastReceivedAt)) : null;
    const limitMs = Math.max(MIN_FRESHNESS_MS, 3 * (spec ? parseDuration(spec.interval) : 0));
    const finished = sourceFinished(reportingFetchers.filter((b) => b.resource === source));
    const state = stateOf({ suspended: spec?.suspend === true, finished, ageMs, limitMs });
    return {
      source,
      lastTickAt: f?.lastTickAt ?? null,
      ageS: ageMs === null ? null : ageMs / 1000,
      stale: state === 'stale' || state === 'waiting',
      state,
      symbols: f?.symbols ?? 0,
    };
  });
  const retired = resources
    ? stored
        .filter((f) => !declared.has(f.source))
        .map((f) => ({ source: f.source, lastTickAt: f.lastTickAt, symbols: f.symbols }))
    : [];
  return { freshness, retired };
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
  viewer: HealthViewer,
  nowMs = Date.now(),
): Promise<PipelineHealth> {
  const problems: Problem[] = [];
  const [beats, freshness, lag, sizeBytes, storage, deadLetters, resources] = await Promise.all([
    attempt(problems, 'worker heartbeats', () => listHeartbeats(deps.heartbeats), [], deps.log),
    attempt(problems, 'source freshness', () => sourceFreshness(deps.pool), [], deps.log),
    attempt(problems, 'consumer lag', () => consumerLag(deps.jsm, deps.topo), [], deps.log),
    attempt(problems, 'database size', () => databaseSizeBytes(deps.pool), null, deps.log),
    attempt(
      problems,
      'tick storage',
      () => tickStorageStats(deps.pool, deps.flavor),
      { chunks: null, compressedChunks: null, compressionRatio: null },
      deps.log,
    ),
    attempt(
      problems,
      'dead letters',
      () => recentDeadLetters(deps.jsm, deps.topo, 5),
      { total: 0, recent: [] },
      deps.log,
    ),
    deps.resources.list().catch(() => null),
  ]);

  const workers = beats
    .map((b) => workerView(b, nowMs, viewer))
    .sort((a, b) => a.id.localeCompare(b.id));
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

  if (!resources) {
    problems.push({
      severity: 'warning',
      message:
        'sources could not be listed: every stored source is shown, judged without its interval',
    });
  }
  const { freshness: freshnessViews, retired } = judgeFreshness(
    freshness,
    resources?.resources ?? null,
    beats.filter((b) => b.role === 'fetcher' && nowMs - Date.parse(b.lastSeen) <= WORKER_STALE_MS),
    nowMs,
  );
  const retiredModels = resources
    ? await attempt(
        problems,
        'stored models',
        () =>
          storedModelsExcept(
            deps.pool,
            resources.resources
              .filter((r) => r.kind === 'PredictionModel')
              .map((r) => resourceKey(refOf(r))),
          ),
        [],
        deps.log,
      )
    : [];
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
    retired,
    retiredModels,
    lag,
    database: { flavor: deps.flavor, sizeBytes, ...storage },
    deadLetters,
  };
}
