import {
  consumerLag,
  listHeartbeats,
  recentDeadLetters,
  type ConsumerLag,
  type DeadLetterSummary,
  HEARTBEAT_ROLES,
  isFreshHeartbeat,
  type Heartbeat,
} from '@cryptoviz/bus';
import {
  databaseSizeBytes,
  sourceFreshness,
  storedModelsExcept,
  tickStorageStats,
  type StoredModel,
  type TickStorageStats,
} from '@cryptoviz/store';
import { resourceKeyOf } from '@cryptoviz/resources';
import type { GatewayDeps } from '../context.ts';
import type { ResourceListing } from '../resources/resource-store.ts';
import { judgeFreshness, type RetiredSourceView, type SourceFreshnessView } from './freshness.ts';
import {
  attempt,
  freshnessProblems,
  lagProblems,
  overallStatus,
  workerProblems,
  type HealthProblem,
} from './health-problems.ts';
import type { Rates } from './ingest-rate.ts';
import { workerView, type HealthViewer, type WorkerView } from './worker-view.ts';

export interface PipelineHealth {
  checkedAt: string;
  status: 'ok' | 'degraded' | 'down';
  problems: HealthProblem[];
  workers: WorkerView[];
  roles: Record<Heartbeat['role'], { total: number; healthy: number }>;
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

/** Everything the health view reads, at once; what cannot be read is a problem and a fallback. */
async function readPipeline(deps: GatewayDeps, problems: HealthProblem[]) {
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
  return { beats, freshness, lag, sizeBytes, storage, deadLetters, resources };
}

/** How many workers of each role there are, and how many of them report on time. */
function rolesOf(workers: readonly WorkerView[]): PipelineHealth['roles'] {
  return Object.fromEntries(
    HEARTBEAT_ROLES.map((role) => {
      const of = workers.filter((w) => w.role === role);
      return [role, { total: of.length, healthy: of.filter((w) => !w.stale).length }];
    }),
  ) as PipelineHealth['roles'];
}

/** Fetchers whose heartbeat is fresh: only they can say a replay finished. */
const reportingFetchers = (beats: readonly Heartbeat[], nowMs: number): Heartbeat[] =>
  beats.filter((b) => b.role === 'fetcher' && isFreshHeartbeat(b, nowMs));

/** Stored models no longer declared; none while the resources cannot be listed. */
async function retiredModelsOf(
  deps: GatewayDeps,
  resources: ResourceListing | null,
  problems: HealthProblem[],
): Promise<StoredModel[]> {
  return resources
    ? await attempt(
        problems,
        'stored models',
        () =>
          storedModelsExcept(
            deps.pool,
            resources.resources
              .filter((r) => r.kind === 'PredictionModel')
              .map((r) => resourceKeyOf(r)),
          ),
        [],
        deps.log,
      )
    : [];
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
  const problems: HealthProblem[] = [];
  const { beats, freshness, lag, sizeBytes, storage, deadLetters, resources } = await readPipeline(
    deps,
    problems,
  );

  const workers = beats
    .map((b) => workerView(b, nowMs, viewer))
    .sort((a, b) => a.id.localeCompare(b.id));
  const roles = rolesOf(workers);
  problems.push(...workerProblems(workers, roles.writer.healthy));

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
    reportingFetchers(beats, nowMs),
    nowMs,
  );
  const retiredModels = await retiredModelsOf(deps, resources, problems);
  problems.push(...freshnessProblems(freshnessViews), ...lagProblems(lag));

  return {
    checkedAt: new Date(nowMs).toISOString(),
    status: overallStatus(problems),
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
