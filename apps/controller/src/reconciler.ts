import {
  API_VERSION,
  formatIssues,
  resourceKey,
  resourceSchemas,
  type Resource,
} from '@cryptoviz/resources';
import {
  KIND_ROLES,
  planModel,
  planSource,
  type Workload,
  type WorkloadBackend,
  type WorkloadOwner,
} from '@cryptoviz/workloads';
import type { Heartbeat } from '@cryptoviz/bus';
import { summariseHeartbeats, type ConditionProblem } from './facts.ts';
import { LEGACY_CONSUMER_FINALIZER } from './labels.ts';
import {
  parseKey,
  recordKey,
  type ResourceRecord,
  type ResourceReporter,
  type ResourceCache,
  type RunningWorkers,
} from './platform.ts';
import { desiredReplicas } from './replicas.ts';
import { ownerSelector } from './render.ts';
import type { Rollout } from './rollout.ts';
import { buildStatus, isTrouble, transitions } from './status.ts';
import type { WorkloadProblemFinder } from './workload-problems.ts';

export interface ReconcilerOptions {
  store: ResourceCache;
  backend: WorkloadBackend;
  reporter: ResourceReporter;
  heartbeats: () => Heartbeat[] | undefined;
  /** How far an owner's `wanted` workers have rolled out; omitted where nothing rolls out. */
  rollout?: (owner: WorkloadOwner, wanted: number) => Rollout | undefined;
  /** What keeps the owner's workers from running (a Pod that cannot pull its image, …). */
  workloadProblem?: WorkloadProblemFinder;
  /** How often a settled resource is looked at again (heartbeat facts). */
  resyncMs: number;
  /** How soon a resource with a problem is looked at again (e.g. a Secret that may appear). */
  problemRetryMs: number;
  now?: () => Date;
}

type Workers = Omit<RunningWorkers, 'generation'>;

const NOTHING_RUNS: Workers = { replicas: 0, symbolCount: 0 };

/** What a status reports besides the workers that run. */
interface Findings {
  suspended?: boolean;
  problem?: ConditionProblem;
}

const keyOf = (record: ResourceRecord) => recordKey(record.kind, record.namespace, record.name);

/**
 * One reconcile of one resource: level-based and idempotent. Reads the resource, validates it
 * with the shared schema, converges its workers, and reports status and events.
 */
export class Reconciler {
  /** What each resource's last apply left running, to report while its spec is invalid. */
  private readonly applied = new Map<string, RunningWorkers>();

  constructor(private readonly options: ReconcilerOptions) {}

  async reconcile(key: string): Promise<{ requeueAfterMs?: number }> {
    const { store, backend } = this.options;
    const record = store.get(key);
    if (!record) {
      this.applied.delete(key);
      // Gone: in a cluster the garbage collector follows owner references; locally, stop here.
      await backend.remove(this.owner(parseKey(key)));
      return {};
    }
    await this.dropLegacyFinalizer(record);
    if (record.deleting) return {};
    const parsed = resourceSchemas[record.kind].safeParse(record.object);
    if (!parsed.success) return this.keepRunning(record, formatIssues(parsed.error));
    return this.converge(record, parsed.data);
  }

  private async converge(
    record: ResourceRecord,
    resource: Resource,
  ): Promise<{ requeueAfterMs: number }> {
    const problem = await this.checkSecret(record, resource);
    const wanted = desiredReplicas(resource);
    const workloads =
      resource.kind === 'CryptoSource' ? planSource(resource, wanted) : planModel(resource, wanted);
    const workers = { replicas: wanted, symbolCount: resource.spec.symbols.length };
    await this.apply(record, workloads, workers);
    await this.report(record, workers, { suspended: resource.spec.suspend, problem });
    return { requeueAfterMs: problem ? this.options.problemRetryMs : this.options.resyncMs };
  }

  /**
   * Keeps whatever runs, and reports it: a typo in an edit should not stop a working pipeline,
   * nor make the status (and the scale subresource) say that nothing runs.
   */
  private async keepRunning(
    record: ResourceRecord,
    message: string,
  ): Promise<{ requeueAfterMs: number }> {
    await this.report(record, this.lastApplied(record), {
      problem: { reason: 'InvalidSpec', message },
    });
    return { requeueAfterMs: this.options.resyncMs };
  }

  private async apply(
    record: ResourceRecord,
    workloads: Workload[],
    workers: Workers,
  ): Promise<void> {
    await this.options.backend.apply(this.owner(record), workloads);
    this.applied.set(keyOf(record), { ...workers, generation: record.generation });
  }

  /**
   * The workers of the last good spec. Remembered from this replica's own applies; the status
   * last written stands in when it is newer (another replica led meanwhile) or when nothing is
   * remembered (a new leader).
   */
  private lastApplied(record: ResourceRecord): Workers {
    const remembered = this.applied.get(keyOf(record));
    const reported = record.reported;
    if (!remembered || !reported) return remembered ?? reported ?? NOTHING_RUNS;
    return reported.generation > remembered.generation ? reported : remembered;
  }

  private owner(ref: Pick<ResourceRecord, 'kind' | 'namespace' | 'name' | 'uid'>): WorkloadOwner {
    return {
      kind: ref.kind,
      namespace: ref.namespace,
      name: ref.name,
      uid: ref.uid,
      apiVersion: API_VERSION,
    };
  }

  /**
   * Nothing the controller makes lives outside the cluster (owner references cover the rest),
   * so no resource needs a finalizer; one left by an earlier version would only block deletes.
   */
  private async dropLegacyFinalizer(record: ResourceRecord): Promise<void> {
    if (!record.finalizers.includes(LEGACY_CONSUMER_FINALIZER)) return;
    await this.options.reporter.removeFinalizer(record, LEGACY_CONSUMER_FINALIZER);
  }

  private async checkSecret(
    record: ResourceRecord,
    resource: Resource,
  ): Promise<ConditionProblem | undefined> {
    if (resource.kind !== 'CryptoSource' || !resource.spec.apiKeySecretRef) return undefined;
    const ref = resource.spec.apiKeySecretRef;
    const found = await this.options.reporter.secretHasKey(record.namespace, ref.name, ref.key);
    if (found !== false) return undefined;
    return {
      reason: 'SecretMissing',
      message: `Secret ${ref.name} with key ${ref.key} (spec.apiKeySecretRef) not found in namespace ${record.namespace}`,
    };
  }

  private async report(
    record: ResourceRecord,
    workers: Workers,
    findings: Findings,
  ): Promise<void> {
    const { role } = KIND_ROLES[record.kind];
    const owner = this.owner(record);
    const beats = this.options.heartbeats();
    const workloadProblem = await this.options.workloadProblem?.(owner);
    const status = buildStatus(
      record.kind,
      {
        generation: record.generation,
        wanted: workers.replicas,
        selector: ownerSelector(owner, role),
        symbolCount: workers.symbolCount,
        suspended: findings.suspended ?? false,
        facts: beats ? summariseHeartbeats(beats, role, resourceKey(record)) : undefined,
        rollout: this.options.rollout?.(owner, workers.replicas),
        problem: findings.problem,
        workloadProblem,
      },
      record.conditions,
      (this.options.now?.() ?? new Date()).toISOString(),
    );
    await this.options.reporter.writeStatus(record, status);
    const changed = transitions(record.conditions, status.conditions);
    for (const condition of changed) {
      await this.options.reporter.event(
        record,
        isTrouble(condition) ? 'Warning' : 'Normal',
        condition.reason,
        `${condition.type}=${condition.status}: ${condition.message}`,
      );
    }
  }
}
