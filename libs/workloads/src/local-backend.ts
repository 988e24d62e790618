import { DEFAULT_NAMESPACE } from '@cryptoviz/resources';
import { ownerKey, type WorkloadBackend, type WorkloadOwner } from './backend.ts';
import type { Workload } from './plan.ts';
import type { ProcessBackend } from './process-backend.ts';

/**
 * A workload's process name on this machine. A plan's names are unique within a namespace (a
 * Deployment's); one machine runs every namespace's, so those outside `default` are prefixed
 * `<namespace>.` (a DNS label has no dot: no prefixed name equals another's plain one).
 */
export function localWorkloadName(
  owner: Pick<WorkloadOwner, 'namespace'>,
  workload: Pick<Workload, 'name'>,
): string {
  return owner.namespace === DEFAULT_NAMESPACE
    ? workload.name
    : `${owner.namespace}.${workload.name}`;
}

/**
 * The WorkloadBackend of a machine with no cluster: each owner's workloads as child processes
 * of one ProcessBackend, plus shared workers (the writers) that belong to no resource.
 */
export class LocalWorkloadBackend implements WorkloadBackend {
  private readonly byOwner = new Map<string, Workload[]>();
  private shared: Workload[] = [];
  // Applies run one at a time: ProcessBackend converges to one whole set per call.
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly processes: ProcessBackend) {}

  apply(owner: WorkloadOwner, workloads: Workload[]): Promise<void> {
    this.byOwner.set(
      ownerKey(owner),
      workloads.map((workload) => ({ ...workload, name: localWorkloadName(owner, workload) })),
    );
    return this.converge();
  }

  remove(owner: WorkloadOwner): Promise<void> {
    this.byOwner.delete(ownerKey(owner));
    return this.converge();
  }

  applyShared(workloads: Workload[]): Promise<void> {
    this.shared = workloads;
    return this.converge();
  }

  stop(): Promise<void> {
    return (this.chain = this.chain.then(() => this.processes.stop()));
  }

  private converge(): Promise<void> {
    const run = () => this.processes.apply([...this.shared, ...[...this.byOwner.values()].flat()]);
    this.chain = this.chain.then(run, run);
    return this.chain;
  }
}
