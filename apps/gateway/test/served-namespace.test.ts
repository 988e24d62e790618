import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '@cryptoviz/kube-testenv';
import { labelIn, resourceKeyOf } from '@cryptoviz/resources';
import { insertTicks } from '@cryptoviz/store';
import { tick } from './fixtures.ts';
import { clientWithToken, failure, startTestGateway, TOKEN, type TestGateway } from './support.ts';

// Building kube-apiserver the first time on a fresh machine takes a long while (cached after).
const CONTROL_PLANE_TIMEOUT_MS = 60 * 60_000;

const binance = {
  kind: 'CryptoSource' as const,
  metadata: { name: 'binance' },
  spec: { provider: 'synthetic', symbols: ['BTC'], interval: '1s' },
};

/**
 * In a cluster the gateway serves its release's namespace, not `default`: a manifest without a
 * namespace is stored there, so a bare name typed back must mean that namespace too.
 */
describe('a gateway serving a namespace other than default (Kubernetes API)', () => {
  let plane: ControlPlane;
  let gw: TestGateway;
  let namespace: string;
  let admin: ReturnType<typeof clientWithToken>;
  const kubeconfigBefore = process.env.KUBECONFIG;

  beforeAll(async () => {
    plane = await startControlPlane();
    namespace = `gw-${randomBytes(4).toString('hex')}`;
    await plane
      .kubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
    // The gateway's store loads $KUBECONFIG, as it does out of cluster.
    process.env.KUBECONFIG = plane.kubeconfigPath;
    gw = await startTestGateway({ GATEWAY_RESOURCES: 'kubernetes', GATEWAY_NAMESPACE: namespace });
    admin = clientWithToken(gw.url, TOKEN);
  }, CONTROL_PLANE_TIMEOUT_MS);
  afterAll(async () => {
    await gw?.stop();
    await plane?.stop();
    if (kubeconfigBefore === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = kubeconfigBefore;
  });

  it('reads and deletes a resource created without a namespace by its bare name', async () => {
    const created = await admin.resources.create.mutate({ manifest: binance });
    expect(created.metadata.namespace).toBe(namespace);

    const found = await gw.client.resources.get.query({ kind: 'CryptoSource', key: 'binance' });
    expect(found.metadata).toMatchObject({ name: 'binance', namespace });

    // As stored it carries the served namespace, so the key its workers are planned by and
    // write their rows under (`refOf` of what the controller reads) is of that namespace.
    const listing = await gw.client.resources.list.query();
    expect(listing.sources.map((s) => resourceKeyOf(s.resource))).toEqual([`${namespace}/binance`]);
    // A bare name reads those rows.
    await insertTicks(gw.db.pool, [tick(`${namespace}/binance`, 'BTC', new Date(), 100)]);
    const latest = await gw.client.markets.latest.query({ sources: ['binance'] });
    expect(latest).toEqual([
      expect.objectContaining({ source: `${namespace}/binance`, price: 100 }),
    ]);

    await admin.resources.delete.mutate({ kind: 'CryptoSource', key: 'binance' });
    const gone = await failure(
      gw.client.resources.get.query({ kind: 'CryptoSource', key: 'binance' }),
    );
    expect(gone.data?.code).toBe('NOT_FOUND');
    expect(gone.message).toBe('CryptoSource "binance" does not exist');
  });

  it('shows the served namespace’s resources by their bare names', async () => {
    await admin.resources.create.mutate({ manifest: binance });
    try {
      const here = await gw.client.resources.namespace.query();
      expect(here).toEqual({ namespace });
      const listing = await gw.client.resources.list.query();
      const labels = listing.sources.map((s) => labelIn(here.namespace)(resourceKeyOf(s.resource)));
      expect(labels).toEqual(['binance']);
      // The gateway's own messages name it the same way.
      const again = await failure(admin.resources.create.mutate({ manifest: binance }));
      expect(again.data?.code).toBe('CONFLICT');
      expect(again.message).toBe('CryptoSource "binance" already exists');
    } finally {
      await admin.resources.delete.mutate({ kind: 'CryptoSource', key: `${namespace}/binance` });
    }
  });

  it('refuses a key of another namespace, naming the field', async () => {
    const read = await failure(
      gw.client.resources.get.query({ kind: 'CryptoSource', key: 'team-b/binance' }),
    );
    expect(read.data?.code).toBe('BAD_REQUEST');
    expect(read.message).toBe(
      `key: namespace "team-b" is not served here: this gateway manages namespace "${namespace}"`,
    );
    const deletion = await failure(
      admin.resources.delete.mutate({ kind: 'CryptoSource', key: 'default/binance' }),
    );
    expect(deletion.data?.code).toBe('BAD_REQUEST');
    expect(deletion.message).toMatch(/^key: namespace "default" is not served here/);
  });
});
