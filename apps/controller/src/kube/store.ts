import type {
  KubeConfig,
  KubernetesObject,
  V1ConfigMap,
  V1Deployment,
  V1DeploymentStatus,
  V1Pod,
} from '@kubernetes/client-node';
import {
  API_VERSION,
  CRD_KINDS,
  KIND_DEFINITIONS,
  type Condition,
  type ResourceKind,
} from '@cryptoviz/resources';
import { LABELS, MANAGED_SELECTOR } from '../labels.ts';
import {
  recordKey,
  type ResourceRecord,
  type ResourceCache,
  type RunningWorkers,
} from '../platform.ts';
import type { KubeApi } from './api.ts';
import { SupervisedInformer, type SupervisedInformerOptions } from './informer.ts';

interface CustomObject extends KubernetesObject {
  status?: {
    conditions?: Condition[];
    observedGeneration?: number;
    replicas?: number;
    symbolCount?: number;
  };
}

/** Custom resources: everything but the field-ownership bookkeeping. */
function slimResource(object: KubernetesObject): void {
  if (object.metadata) delete object.metadata.managedFields;
}

/**
 * ConfigMaps: the controller reads only their metadata (labels, owners, applied hash, and
 * resourceVersion, to notice edits made by others).
 */
function slimConfigMap(object: KubernetesObject): void {
  slimResource(object);
  delete (object as { data?: unknown }).data;
}

/** Deployments: metadata as for ConfigMaps, and what a rollout's progress is judged by. */
function slimDeployment(object: KubernetesObject): void {
  slimResource(object);
  const deployment = object as { spec?: { replicas?: number }; status?: V1DeploymentStatus };
  const { spec, status } = deployment;
  deployment.spec = { replicas: spec?.replicas };
  deployment.status = {
    observedGeneration: status?.observedGeneration,
    replicas: status?.replicas,
    updatedReplicas: status?.updatedReplicas,
    availableReplicas: status?.availableReplicas,
  };
}

/**
 * Pods: what says why a worker does not run (its containers' states) and which Secrets its
 * environment reads (their values are scrubbed from what the kubelet says); never env values.
 */
function slimPod(object: KubernetesObject): void {
  slimResource(object);
  const pod = object as V1Pod;
  pod.spec = {
    containers: (pod.spec?.containers ?? []).map((container) => ({
      name: container.name,
      image: container.image,
      env: (container.env ?? [])
        .filter((env) => env.valueFrom?.secretKeyRef)
        .map((env) => ({
          name: env.name,
          valueFrom: { secretKeyRef: env.valueFrom!.secretKeyRef },
        })),
    })),
  };
  const status = pod.status;
  pod.status = {
    phase: status?.phase,
    initContainerStatuses: status?.initContainerStatuses,
    containerStatuses: status?.containerStatuses,
  };
}

/** The workers a resource's last written status described, if it describes any. */
function reportedWorkers(status: CustomObject['status']): RunningWorkers | undefined {
  const { replicas, symbolCount, observedGeneration } = status ?? {};
  if (replicas === undefined || symbolCount === undefined || observedGeneration === undefined) {
    return undefined;
  }
  return { replicas, symbolCount, generation: observedGeneration };
}

export interface KubernetesStoreOptions extends Omit<SupervisedInformerOptions, 'slim'> {
  /** Watch one namespace; all of them when empty. */
  namespace?: string;
}

/** The REST path of a collection: core (`v1`) objects live under /api, the rest under /apis. */
function collectionPath(apiVersion: string, namespace: string | undefined, plural: string): string {
  const prefix = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
  return namespace ? `${prefix}/namespaces/${namespace}/${plural}` : `${prefix}/${plural}`;
}

/**
 * Informer caches of both custom resources, of the Deployments and ConfigMaps the controller
 * owns, and of those Deployments' Pods; a change to an owned object re-queues its owner (someone
 * edited or deleted it, a worker's pod started, crashed or turned ready).
 */
export class KubernetesResourceCache implements ResourceCache {
  readonly resources: Record<ResourceKind, SupervisedInformer<CustomObject>>;
  readonly deployments: SupervisedInformer<V1Deployment>;
  readonly configMaps: SupervisedInformer<V1ConfigMap>;
  /** The workers' pods (they carry their Deployment's labels), read-only. */
  readonly pods: SupervisedInformer<V1Pod>;
  private readonly listeners: ((key: string) => void)[] = [];

  constructor(kc: KubeConfig, api: KubeApi, options: KubernetesStoreOptions = {}) {
    const ns = options.namespace || undefined;
    const informer = <T extends KubernetesObject>(
      apiVersion: string,
      kind: string,
      plural: string,
      selector?: string,
      slim: (object: KubernetesObject) => void = slimResource,
    ) =>
      new SupervisedInformer<T>(
        kc,
        collectionPath(apiVersion, ns, plural),
        () =>
          api.objects.list<T>(
            apiVersion,
            kind,
            ns,
            undefined,
            undefined,
            undefined,
            undefined,
            selector,
          ),
        selector,
        { ...options, slim },
      );
    this.resources = Object.fromEntries(
      CRD_KINDS.map((kind) => [
        kind,
        informer<CustomObject>(API_VERSION, kind, KIND_DEFINITIONS[kind].plural),
      ]),
    ) as Record<ResourceKind, SupervisedInformer<CustomObject>>;
    this.deployments = informer(
      'apps/v1',
      'Deployment',
      'deployments',
      MANAGED_SELECTOR,
      slimDeployment,
    );
    this.configMaps = informer('v1', 'ConfigMap', 'configmaps', MANAGED_SELECTOR, slimConfigMap);
    this.pods = informer('v1', 'Pod', 'pods', MANAGED_SELECTOR, slimPod);

    for (const kind of CRD_KINDS) {
      for (const verb of ['add', 'update', 'delete'] as const) {
        this.resources[kind].on(verb, (object) =>
          this.emit(recordKey(kind, object.metadata!.namespace!, object.metadata!.name!)),
        );
      }
    }
    const requeueOwner = (object: KubernetesObject) => {
      const labels = object.metadata?.labels ?? {};
      const kind = labels[LABELS.kind] as ResourceKind | undefined;
      const name = labels[LABELS.resource];
      if (kind && name) this.emit(recordKey(kind, object.metadata!.namespace!, name));
    };
    for (const owned of [
      this.deployments,
      this.configMaps,
    ] as SupervisedInformer<KubernetesObject>[]) {
      for (const verb of ['update', 'delete'] as const) owned.on(verb, requeueOwner);
    }
    // A pod's every change may change what its owner's status says (a new pod too: it may be
    // born failing, as with an image that cannot be pulled).
    for (const verb of ['add', 'update', 'delete'] as const) this.pods.on(verb, requeueOwner);
  }

  private all(): SupervisedInformer<KubernetesObject>[] {
    return [
      ...Object.values(this.resources),
      this.deployments,
      this.configMaps,
      this.pods,
    ] as never;
  }

  async start(): Promise<void> {
    await Promise.all(this.all().map((informer) => informer.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((informer) => informer.stop()));
  }

  onChange(listener: (key: string) => void): void {
    this.listeners.push(listener);
  }

  private emit(key: string): void {
    for (const listener of this.listeners) listener(key);
  }

  keys(): string[] {
    return CRD_KINDS.flatMap((kind) =>
      this.resources[kind]
        .list()
        .map((o) => recordKey(kind, o.metadata!.namespace!, o.metadata!.name!)),
    );
  }

  get(key: string): ResourceRecord | undefined {
    const [kind, namespace, name] = key.split('/') as [ResourceKind, string, string];
    const object = this.resources[kind]?.get(name, namespace);
    if (!object) return undefined;
    const meta = object.metadata!;
    return {
      kind,
      namespace,
      name,
      uid: meta.uid,
      generation: meta.generation ?? 0,
      deleting: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
      finalizers: meta.finalizers ?? [],
      object: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: meta,
        spec: (object as { spec?: unknown }).spec,
      },
      conditions: object.status?.conditions,
      reported: reportedWorkers(object.status),
    };
  }

  /** The last status the controller wrote, to skip writes that would change nothing. */
  status(key: string): unknown {
    const [kind, namespace, name] = key.split('/') as [ResourceKind, string, string];
    return this.resources[kind]?.get(name, namespace)?.status;
  }
}
