// Fault suite, control plane: the controller process killed with kill -9 in the middle of
// reconciling, and the API server killed while no controller runs. Complements
// apps/controller/test/resilience.test.ts, which proves leader failover (the first controller
// killed while idle), an API server restart under an in-process controller, and shutdown
// during a reconcile: here the kill lands with Deployments half-applied, and a new controller
// process must finish the work, each Deployment and ConfigMap once, none left over.
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  createNamespace,
  createTestBus,
  eventually,
  model,
  readCustom,
  source,
  spawnControllerProcess,
  userApply,
  useCluster,
} from '../../apps/controller/test/kube-fixture.ts';

const SOURCES = 20;
const SHARDS = 3;

describe('controller killed mid-reconcile', { timeout: 180_000 }, () => {
  const cluster = useCluster();
  it('a new controller process converges on every resource, each Deployment and ConfigMap once, after an API server restart', async () => {
    const bus = await createTestBus();
    const namespace = await createNamespace(cluster);
    const children: ChildProcess[] = [];
    const controller = (id: string) => {
      const child = spawnControllerProcess(cluster, namespace, bus, id);
      children.push(child);
      return child;
    };
    const deployments = async () =>
      (await cluster.apps.listNamespacedDeployment({ namespace })).items;
    const configMaps = async () =>
      (await cluster.core.listNamespacedConfigMap({ namespace })).items.filter(
        (c) => c.metadata?.labels?.['cryptoviz.dev/resource'],
      );
    try {
      const names = Array.from({ length: SOURCES }, (_, i) => `src-${i}`);
      const symbols = ['BTC', 'ETH', 'SOL'].slice(0, SHARDS);
      const first = controller('first');
      const firstExited = new Promise((resolve) => first.once('exit', resolve));
      await Promise.all([
        ...names.map((name) =>
          userApply(
            cluster,
            source(namespace, name, {
              provider: 'synthetic',
              symbols,
              interval: '1s',
              maxSymbolsPerWorker: 1,
            }),
          ),
        ),
        userApply(
          cluster,
          model(namespace, 'consensus', {
            algorithm: 'holt',
            symbols,
            sources: names.slice(0, 2),
            interval: '1m',
            horizons: ['5m'],
            maxSymbolsPerWorker: 1,
          }),
        ),
      ]);
      const expected = SOURCES * SHARDS + SHARDS;
      const atKill = await eventually(
        async () => (await deployments()).length,
        (n) => n > 0,
        { timeoutMs: 90_000, intervalMs: 20 },
      );
      first.kill('SIGKILL');
      await firstExited;
      // The kill landed mid-reconcile: some Deployments applied, not all.
      expect(atKill).toBeLessThan(expected);

      // No controller runs while the API server restarts; the next one finds it back.
      await cluster.plane.restartApiServer('SIGKILL');
      controller('second');

      const all = await eventually(deployments, (list) => list.length >= expected, {
        timeoutMs: 90_000,
        intervalMs: 500,
      });
      const wantedNames = [
        ...names.flatMap((name) => symbols.map((_, i) => `fetcher-${name}-${i}`)),
        ...symbols.map((_, i) => `predictor-consensus-${i}`),
      ].sort();
      expect(all.map((d) => d.metadata!.name!).sort()).toEqual(wantedNames);
      for (const d of all) expect(d.metadata!.ownerReferences, d.metadata!.name).toHaveLength(1);
      // One ConfigMap per resource, each owned once.
      const maps = await configMaps();
      expect(maps.map((c) => c.metadata!.labels!['cryptoviz.dev/resource']).sort()).toEqual(
        [...names, 'consensus'].sort(),
      );
      // Every resource's status caught up with its spec under the new controller.
      for (const name of names) {
        const object = await eventually(
          () => readCustom(cluster, namespace, 'cryptosources', name),
          (o) => o?.status?.observedGeneration === o?.metadata.generation,
          { timeoutMs: 30_000 },
        );
        expect(object!.status!.replicas, name).toBe(SHARDS);
      }
    } finally {
      for (const child of children) child.kill('SIGKILL');
      await bus.drop();
    }
  });
});
