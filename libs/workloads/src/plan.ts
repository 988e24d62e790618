import {
  refOf,
  resourceKeyOf,
  type CryptoSource,
  type PredictionModel,
  type Resource,
} from '@cryptoviz/resources';

/** Workers the controller runs for resources (and the shared writer). */
export type Role = 'fetcher' | 'writer' | 'predictor';
/** Platform services: Helm deploys them in a cluster, `cryptoviz up` runs them locally. */
export type ServiceRole = 'gateway' | 'web';

/**
 * One worker process the platform must keep running, whatever runs it (a Deployment's pod
 * or a local child process). The same plan feeds both backends.
 */
export interface Workload<R extends string = Role> {
  /** Unique and stable: `<role>-<resource>-<shard>`. */
  name: string;
  role: R;
  /** The key (`namespace/name`) of the resource it serves (absent for shared workers). */
  resource?: string;
  /** Environment beyond the connection settings every worker gets. */
  env: Record<string, string>;
  /** Files the worker reads, by the env variable that names them. */
  files: Record<string, { name: string; content: string }>;
  /** Env variables filled from a Secret, never written into a plan's files. */
  secretEnv: Record<string, SecretKeyRef>;
}

/** One key of a Secret. A Secret is namespaced: the resource's own namespace holds it. */
export interface SecretKeyRef {
  namespace: string;
  secret: string;
  key: string;
}

/** The role that serves each resource kind, and the env variable naming its manifest file. */
export const KIND_ROLES = {
  CryptoSource: { role: 'fetcher', fileEnv: 'SOURCE_FILE' },
  PredictionModel: { role: 'predictor', fileEnv: 'MODEL_FILE' },
} as const satisfies Record<Resource['kind'], { role: Role; fileEnv: string }>;

type ReplicaSpec = Pick<
  CryptoSource['spec'],
  'symbols' | 'maxSymbolsPerWorker' | 'minReplicas' | 'maxReplicas' | 'replicas'
>;

/**
 * Workers a resource needs from its symbols alone: symbols over `maxSymbolsPerWorker`, within
 * min/max replicas; an explicit `replicas` (what `kubectl scale` writes) wins, within the same
 * bounds. A worker with no symbols would idle, so there are never more shards than symbols.
 */
export function shardCount(spec: ReplicaSpec): number {
  // Scaled to zero on purpose (`kubectl scale --replicas=0`): a pause, like suspend.
  if (spec.replicas === 0) return 0;
  const needed = Math.ceil(spec.symbols.length / spec.maxSymbolsPerWorker);
  const wanted = spec.replicas ?? needed;
  const bounded = Math.min(spec.maxReplicas ?? Infinity, Math.max(spec.minReplicas ?? 1, wanted));
  return Math.max(1, Math.min(bounded, spec.symbols.length));
}

/** Shards a source needs: its symbols over `maxSymbolsPerWorker`, within min/max replicas. */
export function sourceShardCount(source: CryptoSource): number {
  return shardCount(source.spec);
}

/** The manifest a worker reads: what the user wrote, defaults filled in, no cluster metadata. */
export function workerManifest(resource: Resource): string {
  return JSON.stringify({
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    // The namespace is the worker's half of its identity (`namespace/name`).
    metadata: { name: resource.metadata.name, namespace: refOf(resource).namespace },
    spec: resource.spec,
  });
}

function planShards(resource: Resource, count: number, secretEnv: Workload['secretEnv']) {
  const { name } = resource.metadata;
  const { role, fileEnv } = KIND_ROLES[resource.kind];
  const manifest = workerManifest(resource);
  return Array.from({ length: count }, (_, index): Workload => ({
    name: `${role}-${name}-${index}`,
    role,
    resource: resourceKeyOf(resource),
    env: { SHARD: `${index}/${count}` },
    files: { [fileEnv]: { name: `${name}.json`, content: manifest } },
    secretEnv,
  }));
}

/** A source's fetchers; `count` overrides the symbol-based shard count (the controller's). */
export function planSource(source: CryptoSource, count = sourceShardCount(source)): Workload[] {
  if (source.spec.suspend) return [];
  const secretRef = source.spec.apiKeySecretRef;
  const secretEnv: Workload['secretEnv'] = secretRef
    ? {
        CRYPTOVIZ_API_KEY: {
          namespace: refOf(source).namespace,
          secret: secretRef.name,
          key: secretRef.key,
        },
      }
    : {};
  return planShards(source, count, secretEnv);
}

/** A model's predictors, one per shard of its symbols (`MODEL_FILE`, `SHARD`). */
export function planModel(model: PredictionModel, count = shardCount(model.spec)): Workload[] {
  if (model.spec.suspend) return [];
  return planShards(model, count, {});
}

export function planWriter(): Workload {
  return { name: 'writer', role: 'writer', env: {}, files: {}, secretEnv: {} };
}

/** `count` writers sharing one durable consumer: `writer`, `writer-1`, … */
export function planWriters(count: number): Workload[] {
  return Array.from({ length: Math.max(1, count) }, (_, index) => ({
    ...planWriter(),
    name: index === 0 ? 'writer' : `writer-${index}`,
  }));
}
