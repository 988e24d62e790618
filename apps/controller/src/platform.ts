import type { Condition, Resource } from '@cryptoviz/resources';
import type { ResourceStatus } from './status.ts';

/** One CryptoSource or PredictionModel as the store holds it, before validation. */
export interface ResourceRecord {
  kind: Resource['kind'];
  namespace: string;
  name: string;
  uid?: string;
  generation: number;
  deleting: boolean;
  finalizers: string[];
  /** The whole object as written (validated by the reconciler with the shared schema). */
  object: unknown;
  conditions?: Condition[];
  /** The workers its last written status described, if that status describes any. */
  reported?: RunningWorkers;
}

/** What runs of a resource: the workers of the spec last applied. */
export interface RunningWorkers {
  replicas: number;
  symbolCount: number;
  /** The generation of the resource this was applied (or last reported) for. */
  generation: number;
}

/** The work queue's key of a record, `Kind/namespace/name`. */
export function recordKey(kind: Resource['kind'], namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export function parseKey(key: string): { kind: Resource['kind']; namespace: string; name: string } {
  const [kind, namespace, name] = key.split('/') as [Resource['kind'], string, string];
  return { kind, namespace, name };
}

/**
 * Where the controller sees resources: a cluster's informers, or a folder of manifests,
 * watched and read-only. (The gateway's ResourceStore is the other side: the one API edits
 * are written through.)
 */
export interface ResourceCache {
  get(key: string): ResourceRecord | undefined;
  keys(): string[];
  /** Calls back with the key of every resource that changed (or whose workers did). */
  onChange(listener: (key: string) => void): void;
}

export type EventType = 'Normal' | 'Warning';

/** What the reconciler tells the world besides workloads: status, finalizers, events, Secrets. */
export interface ResourceReporter {
  writeStatus(record: ResourceRecord, status: ResourceStatus): Promise<void>;
  removeFinalizer(record: ResourceRecord, finalizer: string): Promise<void>;
  event(record: ResourceRecord, type: EventType, reason: string, message: string): Promise<void>;
  /** Whether `key` of Secret `name` exists; undefined when that cannot be known. */
  secretHasKey(namespace: string, name: string, key: string): Promise<boolean | undefined>;
}
