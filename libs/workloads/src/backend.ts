import type { Resource } from '@cryptoviz/resources';
import type { Workload } from './plan.ts';

/** The resource a set of workloads belongs to (for owner references and labels). */
export interface WorkloadOwner {
  kind: Resource['kind'];
  namespace: string;
  name: string;
  uid?: string;
  apiVersion: string;
}

/**
 * Where workloads run: Kubernetes Deployments or local child processes. `apply` converges the
 * owner's workloads to exactly `workloads` (starting, restarting on change, stopping extras);
 * `remove` stops all of the owner's. Both are idempotent.
 */
export interface WorkloadBackend {
  apply(owner: WorkloadOwner, workloads: Workload[]): Promise<void>;
  remove(owner: WorkloadOwner): Promise<void>;
}

export function ownerKey(owner: Pick<WorkloadOwner, 'kind' | 'namespace' | 'name'>): string {
  return `${owner.kind}/${owner.namespace}/${owner.name}`;
}
