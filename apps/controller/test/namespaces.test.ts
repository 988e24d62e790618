import { describe, expect, it } from 'vitest';
import { openHeartbeats, putHeartbeat } from '@cryptoviz/bus';
import {
  condition,
  configMapsOf,
  createNamespace,
  createTestBus,
  deploymentsOf,
  eventually,
  finishRollout,
  readCustom,
  source,
  startController,
  userApply,
  useCluster,
} from './kube-fixture.ts';
import { testHeartbeat } from '@cryptoviz/testkit';

const synthetic = { provider: 'synthetic', symbols: ['BTC'], interval: '1s' };

// Its own control plane: a controller watching every namespace would otherwise also act on what
// other test files leave behind.
describe('one name in two namespaces, on a real kube-apiserver', { timeout: 120_000 }, () => {
  const cluster = useCluster();
  it('runs both, each worker told its namespace, each status from its own heartbeats', async () => {
    const bus = await createTestBus();
    const teamA = await createNamespace(cluster);
    const teamB = await createNamespace(cluster);
    const controller = await startController(cluster, '', bus);
    try {
      await userApply(cluster, source(teamA, 'binance', synthetic));
      await userApply(cluster, source(teamB, 'binance', synthetic));
      for (const namespace of [teamA, teamB]) {
        const deployments = await eventually(
          () => deploymentsOf(cluster, namespace, 'binance'),
          (list) => list.length === 1,
        );
        expect(deployments[0]!.metadata!.name).toBe('fetcher-binance-0');
        // The worker's manifest carries its namespace: its half of the ticks' source key.
        const [configMap] = await configMapsOf(cluster, namespace, 'binance');
        const manifests = Object.values(configMap!.data ?? {}).map((text) => JSON.parse(text));
        expect(manifests).toEqual([
          expect.objectContaining({ metadata: { name: 'binance', namespace } }),
        ]);
        await finishRollout(cluster, namespace, 'binance');
      }

      // Only team A's worker beats: team A is ready, team B is not, though both are `binance`.
      const kv = await openHeartbeats(bus.js, bus.topo);
      await putHeartbeat(
        kv,
        testHeartbeat('fetcher', {
          id: 'fetcher-binance-0-a',
          resource: `${teamA}/binance`,
          counters: { ticksPublished: 7, consecutiveFailures: 0 },
          details: { lastSuccessAt: '2026-11-22T10:00:00.000Z' },
        }),
      );
      const ready = await eventually(
        () => readCustom(cluster, teamA, 'cryptosources', 'binance'),
        (object) => condition(object, 'Ready')?.status === 'True',
      );
      expect(ready!.status).toMatchObject({
        ready: '1/1',
        lastTickTime: '2026-11-22T10:00:00.000Z',
      });
      const other = await eventually(
        () => readCustom(cluster, teamB, 'cryptosources', 'binance'),
        (object) => condition(object, 'Ready') !== undefined,
      );
      expect(condition(other, 'Ready')!.status).toBe('False');
      expect(other!.status).not.toMatchObject({ ready: '1/1' });
    } finally {
      await controller.stop();
      await bus.drop();
    }
  });
});
