import type { V1Deployment } from '@kubernetes/client-node';
import { LABELS } from '../labels.ts';
import type { Rollout } from '../rollout.ts';

/**
 * Whether a Deployment runs its current spec, decided as `kubectl rollout status` does: the
 * Deployment controller has seen the latest generation, every replica has the current pod
 * template, no old replica is left, and all are available.
 */
export function isRolledOut(deployment: V1Deployment): boolean {
  const wanted = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const updated = status.updatedReplicas ?? 0;
  return (
    (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 1) &&
    updated >= wanted &&
    (status.replicas ?? 0) <= updated &&
    (status.availableReplicas ?? 0) >= updated
  );
}

/** A Deployment of a shard that is still wanted (shards `0 … wanted-1`), and not on its way out. */
function isWantedShard(deployment: V1Deployment, wanted: number): boolean {
  const shard = Number(deployment.metadata?.labels?.[LABELS.shard]);
  return !deployment.metadata?.deletionTimestamp && shard < wanted;
}

/** The rollout of an owner's shard Deployments, `wanted` of them wanted now. */
export function rolloutOf(owned: readonly V1Deployment[], wanted: number): Rollout {
  const current = owned.filter((deployment) => isWantedShard(deployment, wanted));
  return {
    wanted,
    rolledOut: Math.min(wanted, current.filter(isRolledOut).length),
    leaving: owned.length - current.length,
  };
}
