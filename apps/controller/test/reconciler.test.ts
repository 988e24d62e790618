import { describe, expect, it } from 'vitest';
import type { Workload } from '@cryptoviz/workloads';
import { Reconciler } from '../src/index.ts';
import type { ResourceRecord, ResourceCache, RunningWorkers } from '../src/platform.ts';

const KEY = 'PredictionModel/ns/m';

function record(generation: number, spec: object, reported?: RunningWorkers): ResourceRecord {
  return {
    kind: 'PredictionModel',
    namespace: 'ns',
    name: 'm',
    generation,
    deleting: false,
    finalizers: [],
    object: {
      apiVersion: 'cryptoviz.dev/v1alpha1',
      kind: 'PredictionModel',
      metadata: { name: 'm', namespace: 'ns' },
      spec,
    },
    reported,
  };
}

const good = { algorithm: 'holt', symbols: ['BTC', 'ETH', 'SOL'], replicas: 2 };
// `alpha` above 1: valid to the API server, refused by the holt schema.
const bad = { algorithm: 'holt', symbols: ['BTC'], replicas: 1, params: { alpha: 5 } };

/** A reconciler over one resource whose record the test swaps, and what it wrote. */
function harness() {
  let current: ResourceRecord | undefined;
  const statuses: Record<string, unknown>[] = [];
  const applies: Workload[][] = [];
  const store: ResourceCache = {
    get: () => current,
    keys: () => [KEY],
    onChange: () => undefined,
  };
  const reconciler = new Reconciler({
    store,
    backend: {
      apply: async (_owner, workloads) => void applies.push(workloads),
      remove: async () => undefined,
    },
    reporter: {
      writeStatus: async (_record, status) => void statuses.push(status),
      removeFinalizer: async () => undefined,
      event: async () => undefined,
      secretHasKey: async () => true,
    },
    heartbeats: () => [],
    resyncMs: 1_000,
    problemRetryMs: 1_000,
  });
  return {
    reconciler,
    statuses,
    applies,
    set: (next: ResourceRecord) => (current = next),
  };
}

describe('Reconciler, on a spec only the controller finds invalid', () => {
  it('reports the workers its own last apply left running, and touches none', async () => {
    const { reconciler, statuses, applies, set } = harness();
    set(record(1, good));
    await reconciler.reconcile(KEY);
    // The status the cache holds may lag behind the apply: it is not what counts here.
    set(record(2, bad, { replicas: 0, symbolCount: 0, generation: 0 }));
    await reconciler.reconcile(KEY);
    expect(applies).toHaveLength(1);
    expect(statuses.at(-1)).toMatchObject({ replicas: 2, symbolCount: 3, ready: '0/2' });
  });

  it('as a new leader, with nothing remembered, reports what the last status said runs', async () => {
    const { reconciler, statuses, applies, set } = harness();
    set(record(5, bad, { replicas: 2, symbolCount: 3, generation: 4 }));
    await reconciler.reconcile(KEY);
    expect(applies).toEqual([]);
    expect(statuses.at(-1)).toMatchObject({ replicas: 2, symbolCount: 3 });
  });

  it('prefers a newer status to what it remembers (another replica led meanwhile)', async () => {
    const { reconciler, statuses, set } = harness();
    set(record(1, good));
    await reconciler.reconcile(KEY);
    set(record(4, bad, { replicas: 3, symbolCount: 5, generation: 3 }));
    await reconciler.reconcile(KEY);
    expect(statuses.at(-1)).toMatchObject({ replicas: 3, symbolCount: 5 });
  });
});
