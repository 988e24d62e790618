import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import {
  KIND_ROLES,
  type Workload,
  type WorkloadBackend,
  type WorkloadOwner,
} from '@cryptoviz/workloads';
import { ANNOTATIONS, LABELS } from '../labels.ts';
import { renderWorkloads, type RenderOptions } from '../render.ts';
import type { Rollout } from '../rollout.ts';
import type { KubeApi } from './api.ts';
import { rolloutOf } from './rollout.ts';
import type { KubernetesResourceCache } from './store.ts';

type OwnedKind = 'Deployment' | 'ConfigMap';

function appliedHash(object: KubernetesObject | undefined): string | undefined {
  return object?.metadata?.annotations?.[ANNOTATIONS.appliedHash];
}

/**
 * Which write of an object this is, as far as its content goes. A Deployment's generation moves
 * with every change to its spec (a `kubectl scale`, an edited image) but not with the status its
 * pods keep changing; a ConfigMap has no status, so any new resourceVersion counts.
 */
function contentVersion(kind: OwnedKind, object: KubernetesObject): string | undefined {
  const meta = object.metadata;
  const version = kind === 'Deployment' ? meta?.generation : meta?.resourceVersion;
  return version === undefined ? undefined : `${meta?.uid}/${version}`;
}

const objectKey = (kind: OwnedKind, object: KubernetesObject) =>
  `${kind}/${object.metadata?.namespace}/${object.metadata?.name}`;

/**
 * Workloads as Kubernetes objects: server-side applies an owner's ConfigMap and Deployments, and
 * deletes the owner's Deployments that are no longer wanted (fewer shards, suspended).
 *
 * An object is sent again only when it would change: when what we want differs from what we
 * last applied (the content hash annotation), or when someone else changed it since (`kubectl
 * scale`, `kubectl edit`): the informer reports that as an update, which requeues the owner, and
 * the object's content version is no longer the one our own apply returned. Re-applying with
 * force then takes the fields we manage back. Versions are remembered in memory only, so a new
 * leader re-applies every object once.
 */
export class KubernetesWorkloadBackend implements WorkloadBackend {
  /** The content version our last apply of each object returned. */
  private readonly written = new Map<string, string | undefined>();

  constructor(
    private readonly api: KubeApi,
    private readonly store: KubernetesResourceCache,
    private readonly options: RenderOptions,
  ) {
    store.deployments.on('delete', (object) =>
      this.written.delete(objectKey('Deployment', object)),
    );
    store.configMaps.on('delete', (object) => this.written.delete(objectKey('ConfigMap', object)));
  }

  async apply(owner: WorkloadOwner, workloads: Workload[]): Promise<void> {
    const { configMap, deployments } = renderWorkloads(owner, workloads, this.options);
    if (configMap) {
      await this.converge(
        'ConfigMap',
        configMap,
        this.store.configMaps.get(configMap.metadata!.name!, owner.namespace),
      );
    }
    for (const deployment of deployments) {
      await this.converge(
        'Deployment',
        deployment,
        this.store.deployments.get(deployment.metadata!.name!, owner.namespace),
      );
    }
    const wanted = new Set(deployments.map((d) => d.metadata!.name!));
    for (const existing of this.owned(owner)) {
      if (!wanted.has(existing.metadata!.name!)) await this.api.delete(existing);
    }
  }

  /** The garbage collector removes what an owner reference points at; nothing to do here. */
  async remove(): Promise<void> {}

  /** How far the owner's Deployments have rolled out, as their cached status says. */
  rollout(owner: WorkloadOwner, wanted: number): Rollout {
    return rolloutOf(this.owned(owner), wanted);
  }

  private async converge(
    kind: OwnedKind,
    desired: KubernetesObject,
    cached: KubernetesObject | undefined,
  ): Promise<void> {
    if (cached && this.unchangedSinceApplied(kind, desired, cached)) return;
    const live = await this.api.apply(desired);
    this.written.set(objectKey(kind, desired), contentVersion(kind, live));
  }

  private unchangedSinceApplied(
    kind: OwnedKind,
    desired: KubernetesObject,
    cached: KubernetesObject,
  ): boolean {
    if (appliedHash(cached) !== appliedHash(desired)) return false;
    const written = this.written.get(objectKey(kind, desired));
    return written !== undefined && written === contentVersion(kind, cached);
  }

  private owned(owner: WorkloadOwner): V1Deployment[] {
    const role = KIND_ROLES[owner.kind].role;
    return this.store.deployments.list(owner.namespace).filter((d) => {
      const labels = d.metadata?.labels ?? {};
      const ownedByUid =
        owner.uid === undefined || d.metadata?.ownerReferences?.some((r) => r.uid === owner.uid);
      return labels[LABELS.resource] === owner.name && labels[LABELS.role] === role && ownedByUid;
    });
  }
}
