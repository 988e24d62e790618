import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isRolledOut, rolloutOf } from '../src/kube/rollout.ts';

const deployment = (
  shard: number,
  generation: number,
  status: V1Deployment['status'],
  deleting = false,
): V1Deployment => ({
  metadata: {
    name: `fetcher-x-${shard}`,
    generation,
    labels: { 'cryptoviz.dev/shard': String(shard) },
    deletionTimestamp: deleting ? new Date() : undefined,
  },
  spec: { replicas: 1 } as V1Deployment['spec'],
  status,
});
const done = { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 };

describe('rollout of shard Deployments', () => {
  it('is done only once the latest generation is observed, updated and available, alone', () => {
    expect(isRolledOut(deployment(0, 2, done))).toBe(true);
    expect(isRolledOut(deployment(0, 3, done))).toBe(false); // not yet seen
    expect(isRolledOut(deployment(0, 2, { ...done, updatedReplicas: 0 }))).toBe(false);
    expect(isRolledOut(deployment(0, 2, { ...done, replicas: 2 }))).toBe(false); // old pod left
    expect(isRolledOut(deployment(0, 2, { ...done, availableReplicas: 0 }))).toBe(false);
    // What the test control plane shows: no Deployment controller ever writes a status.
    expect(isRolledOut(deployment(0, 1, undefined))).toBe(false);
  });

  it('counts wanted shards rolled out, and shards no longer wanted as leaving', () => {
    const owned = [deployment(0, 2, done), deployment(1, 3, done), deployment(2, 2, done)];
    expect(rolloutOf(owned, 2)).toEqual({ wanted: 2, rolledOut: 1, leaving: 1 });
    expect(rolloutOf([deployment(0, 2, done, true)], 1)).toEqual({
      wanted: 1,
      rolledOut: 0,
      leaving: 1,
    });
    expect(rolloutOf([], 1)).toEqual({ wanted: 1, rolledOut: 0, leaving: 0 });
  });
});
