import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '@cryptoviz/kube-testenv';
import { cryptoSourceSchema, type Resource } from '@cryptoviz/resources';
import {
  ResourceConflictError,
  ResourceNotFoundError,
  ResourceRejectedError,
} from '@cryptoviz/api';
import { KubernetesResourceStore } from '../src/resources/kubernetes-resource-store.ts';

// Building kube-apiserver the first time on a fresh machine takes a long while (cached after).
const CONTROL_PLANE_TIMEOUT_MS = 60 * 60_000;

const source = (name: string, symbols: string[]): Resource =>
  cryptoSourceSchema.parse({
    apiVersion: 'cryptoviz.dev/v1alpha1',
    kind: 'CryptoSource',
    metadata: { name, labels: { team: 'quant' } },
    spec: { provider: 'synthetic', symbols, interval: '5s' },
  });

describe('resources through the Kubernetes API (gateway in a cluster)', () => {
  let plane: ControlPlane;
  let store: KubernetesResourceStore;
  let custom: CustomObjectsApi;
  let namespace: string;

  beforeAll(async () => {
    plane = await startControlPlane();
    const kc = plane.kubeConfig();
    namespace = `gw-${randomBytes(4).toString('hex')}`;
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    store = new KubernetesResourceStore(kc, namespace);
    custom = kc.makeApiClient(CustomObjectsApi);
  }, CONTROL_PLANE_TIMEOUT_MS);
  afterAll(async () => {
    await plane?.stop();
  });

  it('creates, reads, lists, updates and deletes custom resources as kubectl would', async () => {
    await store.create(source('majors', ['BTC', 'ETH']));
    const stored = (await custom.getNamespacedCustomObject({
      group: 'cryptoviz.dev',
      version: 'v1alpha1',
      namespace,
      plural: 'cryptosources',
      name: 'majors',
    })) as {
      metadata: { labels: Record<string, string> };
      spec: { symbols: string[]; quote: string };
    };
    expect(stored.metadata.labels).toEqual({ team: 'quant' });
    // The API server applied the CRD's defaults too.
    expect(stored.spec).toMatchObject({ symbols: ['BTC', 'ETH'], quote: 'USD' });

    expect(await store.get('CryptoSource', { namespace, name: 'majors' })).toMatchObject({
      spec: { interval: '5s' },
    });
    expect(await store.get('CryptoSource', { namespace, name: 'nope' })).toBeUndefined();

    await store.update(source('majors', ['BTC', 'ETH', 'SOL']));
    const listing = await store.list();
    expect(listing.errors).toEqual([]);
    expect(listing.resources.map((r) => [r.kind, r.metadata.name, r.spec.symbols])).toEqual([
      ['CryptoSource', 'majors', ['BTC', 'ETH', 'SOL']],
    ]);

    await store.delete('CryptoSource', { namespace, name: 'majors' });
    expect(await store.get('CryptoSource', { namespace, name: 'majors' })).toBeUndefined();
  });

  it('answers conflicts, missing objects and API-server refusals with errors the API maps to 4xx', async () => {
    await store.create(source('dupe', ['BTC']));
    await expect(store.create(source('dupe', ['BTC']))).rejects.toBeInstanceOf(
      ResourceConflictError,
    );
    await expect(store.update(source('ghost', ['BTC']))).rejects.toBeInstanceOf(
      ResourceNotFoundError,
    );
    await expect(
      store.delete('PredictionModel', { namespace, name: 'ghost' }),
    ).rejects.toBeInstanceOf(ResourceNotFoundError);
    // Past our schema (a caller bypassing it), the CRD's own validation still refuses, naming the field.
    const invalid = {
      ...source('bad', ['BTC']),
      spec: { provider: 'bitstamp', symbols: ['BTC'] },
    } as unknown as Resource;
    const refusal = await store.create(invalid).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ResourceRejectedError);
    expect((refusal as Error).message).toMatch(/spec\.provider/);
  });

  it('matches by namespace as well as name, and refuses another namespace’s ref', async () => {
    const created = await store.create(source('scoped', ['BTC']));
    expect(created.metadata.namespace).toBe(namespace);
    expect(store.namespace).toBe(namespace);
    expect(await store.get('CryptoSource', { namespace, name: 'scoped' })).toBeDefined();
    const elsewhere = { namespace: 'default', name: 'scoped' };
    const notServed = `namespace "default" is not served here: this gateway manages namespace "${namespace}"`;
    await expect(store.get('CryptoSource', elsewhere)).rejects.toThrow(notServed);
    await expect(store.delete('CryptoSource', elsewhere)).rejects.toThrow(notServed);
    await expect(store.delete('CryptoSource', elsewhere)).rejects.toBeInstanceOf(
      ResourceRejectedError,
    );
    const foreign = source('scoped', ['ETH']);
    const moved = { ...foreign, metadata: { ...foreign.metadata, namespace: 'default' } };
    const refusal = await store.update(moved).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ResourceRejectedError);
    expect((refusal as Error).message).toMatch(/metadata\.namespace "default"/);
    expect((await store.get('CryptoSource', { namespace, name: 'scoped' }))?.spec.symbols).toEqual([
      'BTC',
    ]);
  });
});
