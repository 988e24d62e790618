// The chart against a real kube-apiserver + etcd (no node, so no pod runs): every values set
// server-side applied as a dry run, every pod under the restricted Pod Security Standard, a real
// `helm install` and `helm upgrade` (hooks off: no Job would ever run), and the RBAC it installs
// tried as the controller's and the gateway's own ServiceAccounts.
import { randomBytes } from 'node:crypto';
import {
  AuthorizationV1Api,
  KubeConfig,
  PatchStrategy,
  type KubernetesObject,
  type KubernetesObjectApi,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionModelSchema, type Condition } from '@cryptoviz/resources';
import { eventually } from '@cryptoviz/testkit';
import { startKubernetesController } from '@cryptoviz/controller';
import { KubernetesResourceStore } from '@cryptoviz/gateway';
import {
  CONTROL_PLANE_TIMEOUT_MS,
  createNamespace,
  deploymentsOf,
  source,
  startCluster,
  userApply,
  type Cluster,
} from '../../../apps/controller/test/kube-fixture.ts';
import {
  CHART_DIR,
  controllerWorkers,
  findHelm,
  helmWithValues,
  nameOf,
  podOf,
  RELEASE,
  renderChart,
  runHelm,
  VALUES_SETS,
  workloadsOf,
} from './chart-fixture.ts';

let helm: string;
let cluster: Cluster;

beforeAll(async () => {
  helm = await findHelm();
  cluster = await startCluster();
}, CONTROL_PLANE_TIMEOUT_MS);

afterAll(async () => {
  await cluster?.plane.stop();
});

/** What `kubectl apply --server-side --dry-run=server` sends. */
async function dryRunApply(objects: KubernetesObjectApi, object: KubernetesObject) {
  try {
    await objects.patch(
      object,
      undefined,
      'All',
      'cryptoviz-chart-test',
      true,
      PatchStrategy.ServerSideApply,
    );
  } catch (err) {
    const body = (err as { body?: unknown }).body;
    throw new Error(`${nameOf(object)} refused: ${typeof body === 'string' ? body : String(err)}`);
  }
}

/** The cluster's kubeconfig, authenticated as a ServiceAccount by a bound token. */
async function kubeConfigAs(namespace: string, serviceAccount: string): Promise<KubeConfig> {
  const answer = await cluster.core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const admin = cluster.plane.kubeConfig();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [admin.getCurrentCluster()!],
    users: [{ name: serviceAccount, token: answer.status!.token }],
    contexts: [{ name: 'sa', cluster: admin.getCurrentCluster()!.name, user: serviceAccount }],
    currentContext: 'sa',
  });
  return kc;
}

async function allowed(
  kc: KubeConfig,
  attributes: {
    namespace?: string;
    verb: string;
    group?: string;
    resource: string;
    subresource?: string;
    name?: string;
  },
): Promise<boolean> {
  const review = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: attributes } },
  });
  return review.status?.allowed === true;
}

describe('the chart on a real API server', () => {
  it('is accepted object by object with every values set (server-side apply, dry run)', async () => {
    for (const values of Object.values(VALUES_SETS)) {
      const namespace = await createNamespace(cluster);
      const objects = await renderChart(helm, values, namespace);
      for (const object of objects) await dryRunApply(cluster.objects, object);
    }
  });

  it('runs every pod under the restricted Pod Security Standard, the workers’ too', async () => {
    const namespace = `psa-${randomBytes(4).toString('hex')}`;
    await cluster.core.createNamespace({
      body: {
        metadata: {
          name: namespace,
          labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
        },
      },
    });
    const pods: KubernetesObject[] = [];
    for (const values of Object.values(VALUES_SETS)) {
      for (const workload of workloadsOf(await renderChart(helm, values, namespace))) {
        pods.push(podOf(workload, namespace, `p-${randomBytes(4).toString('hex')}`));
      }
    }
    for (const deployment of controllerWorkers(namespace)) {
      const name = deployment.metadata!.name!;
      pods.push(
        podOf({ object: deployment, template: deployment.spec!.template }, namespace, name),
      );
    }
    for (const pod of pods) {
      await cluster.objects.create(pod, undefined, 'All').catch((err: { body?: unknown }) => {
        throw new Error(
          `${pod.metadata!.labels?.['app.kubernetes.io/component']}: ${JSON.stringify(err.body)}`,
        );
      });
    }
  });

  describe('installed', () => {
    let namespace: string;
    let notes = '';
    const secretOf = async (name: string) =>
      (await cluster.core.readNamespacedSecret({ name: `${RELEASE}-cryptoviz-${name}`, namespace }))
        .data!;

    beforeAll(async () => {
      namespace = await createNamespace(cluster);
      const installed = await helmWithValues(
        helm,
        ['install', RELEASE, CHART_DIR, '--namespace', namespace],
        {},
        ['--kubeconfig', cluster.plane.kubeconfigPath, '--no-hooks'],
      );
      expect(installed.code, installed.stderr).toBe(0);
      notes = installed.stdout;
    }, 120_000);

    it('says how to reach the dashboard, read the token and apply a first source', () => {
      expect(notes).toContain(
        `kubectl -n ${namespace} port-forward svc/${RELEASE}-cryptoviz-web 3000:3000`,
      );
      expect(notes).toContain(`get secret ${RELEASE}-cryptoviz-gateway-token`);
      expect(notes).toContain('kind: CryptoSource');
    });

    it('keeps the generated gateway token and database password across an upgrade', async () => {
      const before = { token: await secretOf('gateway-token'), db: await secretOf('database') };
      expect(Buffer.from(before.token.token!, 'base64').toString()).toMatch(/^[A-Za-z0-9]{40}$/);
      const upgraded = await runHelm(helm, [
        'upgrade',
        RELEASE,
        CHART_DIR,
        '--namespace',
        namespace,
        '--kubeconfig',
        cluster.plane.kubeconfigPath,
        '--no-hooks',
        '--reuse-values',
      ]);
      expect(upgraded.code, upgraded.stderr).toBe(0);
      expect(await secretOf('gateway-token')).toEqual(before.token);
      expect(await secretOf('database')).toEqual(before.db);
    });

    it('lets the controller’s ServiceAccount reconcile a source, and no more', async () => {
      const kc = await kubeConfigAs(namespace, `${RELEASE}-cryptoviz-controller`);
      const running = await startKubernetesController({
        kc,
        namespace,
        leaseNamespace: namespace,
        render: { image: 'cryptoviz:0.1.0', baseEnv: {} },
        identity: 'chart-test',
        leaseDurationMs: 4_000,
        leaseRetryMs: 500,
        resyncMs: 2_000,
      });
      try {
        await userApply(cluster, source(namespace, 'majors', SYNTHETIC_WITH_KEY));
        // Deployments and the ConfigMap created, status written, the Secret looked at.
        const deployments = await eventually(
          () => deploymentsOf(cluster, namespace, 'majors'),
          (found) => found.length === 1,
        );
        expect(deployments[0]!.spec!.template.spec!.containers[0]!.args).toEqual(['fetcher']);
        await eventually(
          () =>
            cluster.custom.getNamespacedCustomObject({
              group: 'cryptoviz.dev',
              version: 'v1alpha1',
              namespace,
              plural: 'cryptosources',
              name: 'majors',
            }) as Promise<{ status?: { conditions?: Condition[] } }>,
          (found) =>
            found.status?.conditions?.some(
              (c) => c.type === 'Degraded' && c.reason === 'SecretMissing',
            ) === true,
        );
      } finally {
        await running.stop();
      }
      const writer = `${RELEASE}-cryptoviz-writer`;
      const may = (attributes: Parameters<typeof allowed>[1]) => allowed(kc, attributes);
      const mayScale = (name: string) =>
        may({
          namespace,
          verb: 'patch',
          group: 'apps',
          resource: 'deployments',
          subresource: 'scale',
          name,
        });
      expect(await mayScale(writer)).toBe(true);
      expect(await mayScale('other')).toBe(false);
      expect(await may({ namespace, verb: 'list', resource: 'secrets' })).toBe(false);
      expect(await may({ namespace: 'default', verb: 'get', resource: 'secrets' })).toBe(false);
      expect(
        await may({ namespace: 'default', verb: 'list', group: 'apps', resource: 'deployments' }),
      ).toBe(false);
      expect(await may({ namespace, verb: 'delete', resource: 'configmaps' })).toBe(false);
      // The workers' Pods: watched to say why one does not run, never changed.
      for (const verb of ['get', 'list', 'watch']) {
        expect(await may({ namespace, verb, resource: 'pods' }), verb).toBe(true);
      }
      for (const verb of ['create', 'patch', 'delete']) {
        expect(await may({ namespace, verb, resource: 'pods' }), verb).toBe(false);
      }
      expect(await may({ namespace, verb: 'get', resource: 'pods', subresource: 'log' })).toBe(
        false,
      );
      expect(await may({ namespace: 'default', verb: 'list', resource: 'pods' })).toBe(false);
      expect(
        await may({ namespace, verb: 'update', group: 'cryptoviz.dev', resource: 'cryptosources' }),
      ).toBe(false);
    });

    it('lets the gateway’s ServiceAccount edit resources of its namespace, and no more', async () => {
      const kc = await kubeConfigAs(namespace, `${RELEASE}-cryptoviz-gateway`);
      const store = new KubernetesResourceStore(kc, namespace);
      const model = predictionModelSchema.parse({
        apiVersion: 'cryptoviz.dev/v1alpha1',
        kind: 'PredictionModel',
        metadata: { name: 'btc-holt' },
        spec: { algorithm: 'holt', symbols: ['BTC'] },
      });
      await store.create(model);
      await store.update({ ...model, spec: { ...model.spec, symbols: ['BTC', 'ETH'] } });
      expect(
        (await store.get('PredictionModel', { namespace, name: 'btc-holt' }))?.spec.symbols,
      ).toEqual(['BTC', 'ETH']);
      expect((await store.list()).resources.map((r) => r.metadata.name)).toContain('btc-holt');
      await store.delete('PredictionModel', { namespace, name: 'btc-holt' });
      const may = (attributes: Parameters<typeof allowed>[1]) => allowed(kc, attributes);
      expect(await may({ namespace, verb: 'get', resource: 'secrets' })).toBe(false);
      expect(await may({ namespace, verb: 'list', group: 'apps', resource: 'deployments' })).toBe(
        false,
      );
      expect(
        await may({
          namespace: 'default',
          verb: 'list',
          group: 'cryptoviz.dev',
          resource: 'cryptosources',
        }),
      ).toBe(false);
      expect(
        await may({
          namespace,
          verb: 'patch',
          group: 'cryptoviz.dev',
          resource: 'cryptosources',
          subresource: 'status',
        }),
      ).toBe(false);
    });
  });
});

const SYNTHETIC = { provider: 'synthetic', symbols: ['BTC', 'ETH'] };
// A key whose Secret does not exist: the controller must be allowed to look and say so.
const SYNTHETIC_WITH_KEY = { ...SYNTHETIC, apiKeySecretRef: { name: 'absent', key: 'apiKey' } };
