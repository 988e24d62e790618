import type { ConditionProblem } from './facts.ts';
import type { ResourceRecord } from './platform.ts';

type Claim = Pick<ResourceRecord, 'namespace' | 'createdAt'>;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Who keeps a contested name: the oldest resource, then (same second) the first namespace. */
function claimOrder(a: Claim, b: Claim): number {
  return compare(a.createdAt ?? '', b.createdAt ?? '') || compare(a.namespace, b.namespace);
}

/**
 * The namesake in another namespace that keeps the name, when it is not `record`. Heartbeats,
 * JetStream consumer names and tick subjects are keyed by resource name alone, so two
 * resources of one kind and name would mix their workers' data; only one may run.
 */
export function nameHolder<T extends Claim>(record: T, namesakes: readonly T[]): T | undefined {
  const holder = [record, ...namesakes].sort(claimOrder)[0]!;
  return holder.namespace === record.namespace ? undefined : holder;
}

export function nameInUse(record: ResourceRecord, holder: Claim): ConditionProblem {
  return {
    reason: 'NameInUse',
    message:
      `${record.kind} ${record.name} in namespace ${holder.namespace} is older and keeps the ` +
      `name: workers are known by name alone, across namespaces, so this one runs none until ` +
      `that one is deleted or this one is renamed`,
  };
}
