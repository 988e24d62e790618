/**
 * How far the rollout of a resource's workers has come, as the platform reports it. Heartbeats
 * alone cannot tell: the workers of the previous spec keep beating until they are replaced.
 */
export interface Rollout {
  /** Shards wanted now. */
  wanted: number;
  /** Of those, the shards whose current spec runs and is available. */
  rolledOut: number;
  /** Shards no longer wanted whose workers still exist (being removed). */
  leaving: number;
}

/** Undefined means the platform has no rollouts to wait for (local processes restart at once). */
export function isRollingOut(rollout: Rollout | undefined): rollout is Rollout {
  return rollout !== undefined && (rollout.rolledOut < rollout.wanted || rollout.leaving > 0);
}

export function describeRollout(rollout: Rollout): string {
  const leaving = rollout.leaving > 0 ? `; ${rollout.leaving} no longer wanted, being removed` : '';
  return `${rollout.rolledOut}/${rollout.wanted} shards rolled out${leaving}`;
}
