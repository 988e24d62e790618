import { describe, expect, it } from 'vitest';
import {
  condition,
  createNamespace,
  createTestBus,
  deploymentsOf,
  eventually,
  readCustom,
  source,
  startController,
  userApply,
  useCluster,
} from './kube-fixture.ts';

const synthetic = { provider: 'synthetic', symbols: ['BTC'], interval: '1s' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Its own control plane: a controller watching every namespace would otherwise also act on what
// other test files leave behind.
describe('one name, two namespaces, on a real kube-apiserver', { timeout: 120_000 }, () => {
  const cluster = useCluster();
  it('runs the older resource, and gives the other NameInUse and no workers', async () => {
    const bus = await createTestBus();
    const older = await createNamespace(cluster);
    const newer = await createNamespace(cluster);
    const controller = await startController(cluster, '', bus);
    try {
      await userApply(cluster, source(older, 'twin', synthetic));
      await eventually(
        () => deploymentsOf(cluster, older, 'twin'),
        (list) => list.length === 1,
      );
      // creationTimestamp has whole seconds: make the first one older, whatever the names.
      await sleep(1_100);
      await userApply(cluster, source(newer, 'twin', synthetic));

      const refused = await eventually(
        () => readCustom(cluster, newer, 'cryptosources', 'twin'),
        (object) => condition(object, 'Ready')?.reason === 'NameInUse',
      );
      expect(condition(refused, 'Ready')!.status).toBe('False');
      expect(condition(refused, 'Ready')!.message).toContain(`namespace ${older}`);
      expect(refused!.status).toMatchObject({ replicas: 0 });
      // The Event is recorded on its own, after the status: wait for it.
      await eventually(
        () => cluster.core.listNamespacedEvent({ namespace: newer }),
        (events) => events.items.some((e) => e.reason === 'NameInUse' && e.type === 'Warning'),
      );
      expect(await deploymentsOf(cluster, newer, 'twin')).toEqual([]);
      // The older one is left as it was.
      const kept = await readCustom(cluster, older, 'cryptosources', 'twin');
      expect(condition(kept, 'Ready')?.reason).not.toBe('NameInUse');
      expect(await deploymentsOf(cluster, older, 'twin')).toHaveLength(1);

      // Once the older one is gone, the name is free: the other one gets its workers.
      await cluster.custom.deleteNamespacedCustomObject({
        group: 'cryptoviz.dev',
        version: 'v1alpha1',
        namespace: older,
        plural: 'cryptosources',
        name: 'twin',
      });
      await eventually(
        () => deploymentsOf(cluster, newer, 'twin'),
        (list) => list.length === 1,
        { timeoutMs: 10_000 },
      );
    } finally {
      await controller.stop();
      await bus.drop();
    }
  });
});
