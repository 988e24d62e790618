import { describe, expect, it } from 'vitest';
import {
  configMapsOf,
  deploymentsOf,
  MAJORS_IN_TWO_SHARDS,
  eventually,
  model,
  readCustom,
  source,
  userApply,
  useCluster,
  useControlledNamespace,
} from './kube-fixture.ts';

/** The collector acts within seconds; this only allows for a machine busy with other tests. */
const COLLECTED_WITHIN = { timeoutMs: 60_000, intervalMs: 250 };

// The controller deletes nothing when its resource goes: owner references are all it leaves, and
// these tests check that Kubernetes' own garbage collector then does the rest.
describe('garbage collection of what a resource owns', { timeout: 180_000 }, () => {
  const cluster = useCluster({ garbageCollector: true });
  const each = useControlledNamespace(cluster);

  /** Kind/name of each object a resource owns (list items carry no kind of their own). */
  const ownedObjects = async (resource: string) =>
    [
      ...(await deploymentsOf(cluster, each.namespace, resource)).map(
        (d) => `Deployment/${d.metadata!.name}`,
      ),
      ...(await configMapsOf(cluster, each.namespace, resource)).map(
        (c) => `ConfigMap/${c.metadata!.name}`,
      ),
    ].sort();

  const deleteResource = (plural: string, name: string, propagationPolicy?: string) =>
    cluster.custom.deleteNamespacedCustomObject({
      group: 'cryptoviz.dev',
      version: 'v1alpha1',
      namespace: each.namespace,
      plural,
      name,
      propagationPolicy,
    });

  it("deletes a CryptoSource's Deployments and ConfigMap after the CryptoSource", async () => {
    await userApply(cluster, source(each.namespace, 'majors', MAJORS_IN_TWO_SHARDS));
    const owned = await eventually(
      () => ownedObjects('majors'),
      (objects) => objects.length === 3,
    );
    expect(owned).toEqual([
      'ConfigMap/fetcher-majors',
      'Deployment/fetcher-majors-0',
      'Deployment/fetcher-majors-1',
    ]);

    // With no controller running, only Kubernetes can be the one that deletes them.
    await each.controller.stop();
    await deleteResource('cryptosources', 'majors');

    await eventually(
      () => ownedObjects('majors'),
      (objects) => objects.length === 0,
      COLLECTED_WITHIN,
    );
  });

  it("deletes a PredictionModel's Deployment and ConfigMap before the model (foreground)", async () => {
    await userApply(
      cluster,
      model(each.namespace, 'btc-holt', { algorithm: 'holt', symbols: ['BTC'] }),
    );
    const owned = await eventually(
      () => ownedObjects('btc-holt'),
      (objects) => objects.length === 2,
    );
    expect(owned).toEqual(['ConfigMap/predictor-btc-holt', 'Deployment/predictor-btc-holt-0']);

    // Foreground: the model stays, marked deleted, until the collector has removed every
    // dependent that blocks its deletion; the controller, still running, must not recreate them.
    await deleteResource('predictionmodels', 'btc-holt', 'Foreground');
    await eventually(
      () => readCustom(cluster, each.namespace, 'predictionmodels', 'btc-holt'),
      (object) => object === undefined,
      COLLECTED_WITHIN,
    );
    expect(await ownedObjects('btc-holt')).toEqual([]);
  });
});
