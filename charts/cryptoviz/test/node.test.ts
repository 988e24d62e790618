// The chart on a real Kubernetes node: containerd, kubelet, kube-proxy and CoreDNS in a network
// namespace of the test's own, the platform's image and stand-ins for the bundled NATS and
// TimescaleDB imported with no registry. A user's path from `helm install` to scored forecasts,
// through scaling, deleting, upgrading and uninstalling, then the machine as it was.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  natsImage,
  postgresImage,
  startNodeCluster,
  type NodeCluster,
} from '@cryptoviz/kube-testenv';
import { resourceKey } from '@cryptoviz/resources';
import { eventually } from '@cryptoviz/testkit';
import { buildImage } from '../../../apps/cli/src/build/image.ts';
import { launchChromium } from '../../../apps/web/test/chromium.ts';
import { CHART_DIR, findHelm, helmWithValues, REPO_DIR, runHelm } from './chart-fixture.ts';
import {
  bundledDatabase,
  imageValues,
  realNodeTestUnavailable,
  serviceOf,
  waitPodsReady,
  workerDeployments,
} from './node-fixture.ts';

const NAMESPACE = 'cryptoviz';
const RELEASE = 'cv';
const ARTIFACTS = join(REPO_DIR, 'test-results/node');
/** Cold: kubelet and friends, CoreDNS and helm built from source on two cores. */
const SETUP_TIMEOUT_MS = 90 * 60_000;
const STEP_TIMEOUT_MS = 10 * 60_000;
const unsupported = realNodeTestUnavailable();
/** A whole page, given time: the node's Pods and the rest of the suite share two cores. */
const SCREENSHOT = { fullPage: true, timeout: 120_000 } as const;

const sample = (file: string) =>
  parseYaml(readFileSync(join(REPO_DIR, 'k8s-dev/samples', file), 'utf8')) as KubernetesObject;
const SOURCE = sample('source-replay.yaml');
const MODEL = sample('model-consensus.yaml');
const SOURCE_NAME = SOURCE.metadata!.name!;
const MODEL_NAME = MODEL.metadata!.name!;
/** How rows, subjects and heartbeats know them: by namespace and name. */
const SOURCE_KEY = resourceKey({ namespace: NAMESPACE, name: SOURCE_NAME });
const MODEL_KEY = resourceKey({ namespace: NAMESPACE, name: MODEL_NAME });

let cluster: NodeCluster | undefined;
let kc: KubeConfig;
let helm: string;
let values: Record<string, unknown>;
let db: pg.Pool | undefined;
const log = (line: string) => process.stderr.write(`[node] ${line}\n`);

describe.skipIf(unsupported)('the chart on a real node', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const [helmBinary, platform, nats, postgres] = await Promise.all([
      findHelm(),
      buildImage(log),
      natsImage(),
      postgresImage(),
    ]);
    helm = helmBinary;
    cluster = await startNodeCluster({ log });
    kc = cluster.kubeConfig();
    for (const image of [platform, nats, postgres]) await cluster.importImage(image.file);
    // NATS and PostgreSQL each claim one volume; a bare node has no provisioner.
    await cluster.addVolumes(2, '1Gi');
    values = {
      image: { ...imageValues(platform.ref), pullPolicy: 'Never' },
      nats: { image: imageValues(nats.ref), storage: { size: '1Gi' } },
      database: { image: imageValues(postgres.ref), storage: { size: '1Gi' } },
    };
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await db?.end();
    // Everything the node put on the machine goes, even after a failed step.
    if (cluster) expect(await cluster.stop()).toEqual([]);
  }, STEP_TIMEOUT_MS);

  it(
    'helm install with the bundled NATS and TimescaleDB brings every Pod to Ready',
    async () => {
      const installed = await helmWithValues(
        helm,
        ['install', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--create-namespace'],
        values,
        ['--wait', '--timeout', '10m', '--kubeconfig', cluster!.kubeconfigPath],
      );
      expect(installed.stderr).toBe('');
      expect(installed.code).toBe(0);
      const pods = await waitPodsReady(kc, NAMESPACE, STEP_TIMEOUT_MS);
      const components = new Set(
        pods.map((p) => p.metadata?.labels?.['app.kubernetes.io/component']),
      );
      for (const component of ['controller', 'writer', 'gateway', 'web', 'nats', 'postgresql']) {
        expect(components).toContain(component);
      }
      // The install's migration Job ran to completion.
      db = await bundledDatabase(cluster!, NAMESPACE, `${RELEASE}-cryptoviz-database`);
      const schema = await db.query<{ version: number }>('SELECT version FROM cryptoviz_schema');
      expect(schema.rows[0]?.version).toBeGreaterThan(0);
      const flavor = await db.query(
        "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'",
      );
      expect(flavor.rowCount).toBe(1);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'the sample replay source and consensus model fill the database with ticks and scored forecasts',
    async () => {
      const objects = KubernetesObjectApi.makeApiClient(kc);
      for (const resource of [SOURCE, MODEL]) {
        await objects.create({
          ...resource,
          metadata: { ...resource.metadata, namespace: NAMESPACE },
        });
      }
      // The controller makes the workers moments after the resources appear: until their Pods
      // exist, the Pods already there are all Ready and say nothing of them.
      for (const owner of [SOURCE_NAME, MODEL_NAME]) {
        await eventually(
          async () =>
            (await workerDeployments(kc, NAMESPACE, owner)).map(
              (d) => `${d.metadata?.name}: ${d.status?.readyReplicas ?? 0} ready`,
            ),
          (workers) => workers.length > 0 && workers.every((w) => !w.endsWith(': 0 ready')),
          { timeoutMs: STEP_TIMEOUT_MS / 2, intervalMs: 1_000 },
        );
      }
      await waitPodsReady(kc, NAMESPACE, STEP_TIMEOUT_MS);
      await eventually(
        async () =>
          (
            await db!.query<{ n: string }>('SELECT count(*) AS n FROM ticks WHERE source = $1', [
              SOURCE_KEY,
            ])
          ).rows[0]!.n,
        (n) => Number(n) >= 500,
        { timeoutMs: STEP_TIMEOUT_MS / 2, intervalMs: 1_000 },
      );
      await eventually(
        async () =>
          (
            await db!.query<{ n: string }>(
              'SELECT count(*) AS n FROM predictions WHERE model = $1 AND realized IS NOT NULL',
              [MODEL_KEY],
            )
          ).rows[0]!.n,
        (n) => Number(n) >= 10,
        { timeoutMs: STEP_TIMEOUT_MS / 2, intervalMs: 1_000 },
      );
      const status = await resourceStatus(kc, 'cryptosources', SOURCE_NAME);
      expect(status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'the gateway and the dashboard answer through their Services, and the dashboard shows the pipeline',
    async () => {
      const gateway = await serviceOf(kc, NAMESPACE, 'gateway');
      const gatewayPort = await cluster!.forward(gateway.clusterIP, gateway.port('api'));
      const health = await fetch(`http://127.0.0.1:${gatewayPort}/trpc/health.pipeline`);
      expect(health.status).toBe(200);
      const pipeline = JSON.stringify(await health.json());
      expect(pipeline).toContain(SOURCE_NAME);

      const web = await serviceOf(kc, NAMESPACE, 'web');
      const webPort = await cluster!.forward(web.clusterIP, web.port('http'));
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const errors: Error[] = [];
        page.on('pageerror', (err) => errors.push(err));
        await page.goto(`http://127.0.0.1:${webPort}/`);
        await page.getByText(SOURCE_NAME).first().waitFor({ timeout: 60_000 });
        await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), ...SCREENSHOT });
        await page.goto(`http://127.0.0.1:${webPort}/predictions`);
        await page.getByText(MODEL_NAME).first().waitFor({ timeout: 60_000 });
        await page.screenshot({ path: join(ARTIFACTS, 'predictions.png'), ...SCREENSHOT });
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'helm test passes',
    async () => {
      const tested = await runHelm(helm, [
        'test',
        RELEASE,
        '--namespace',
        NAMESPACE,
        '--timeout',
        '5m',
        '--kubeconfig',
        cluster!.kubeconfigPath,
      ]);
      expect(tested.stderr).toBe('');
      expect(tested.code).toBe(0);
      expect(tested.stdout).toMatch(/Phase:\s+Succeeded/);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'scaling a source through its scale subresource changes its fetcher shards, and the Pods follow',
    async () => {
      const before = await workerDeployments(kc, NAMESPACE, SOURCE_NAME);
      const replicas = before.length === 1 ? 2 : 1;
      await scaleResource(kc, 'cryptosources', SOURCE_NAME, replicas);
      const after = await eventually(
        () => workerDeployments(kc, NAMESPACE, SOURCE_NAME),
        (deployments) => deployments.length === replicas,
        { timeoutMs: 120_000, intervalMs: 1_000 },
      );
      expect(after).toHaveLength(replicas);
      await waitPodsReady(kc, NAMESPACE, STEP_TIMEOUT_MS);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'helm upgrade with a changed value rolls every Deployment and loses no tick',
    async () => {
      const apps = kc.makeApiClient(AppsV1Api);
      const generations = new Map(
        (await apps.listNamespacedDeployment({ namespace: NAMESPACE })).items.map((d) => [
          d.metadata!.name!,
          d.metadata!.generation ?? 0,
        ]),
      );
      const upgraded = await helmWithValues(
        helm,
        ['upgrade', RELEASE, CHART_DIR, '--namespace', NAMESPACE],
        { ...values, logLevel: 'debug' },
        ['--wait', '--timeout', '10m', '--kubeconfig', cluster!.kubeconfigPath],
      );
      expect(upgraded.stderr).toBe('');
      expect(upgraded.code).toBe(0);
      const rolled = (await apps.listNamespacedDeployment({ namespace: NAMESPACE })).items.filter(
        (d) =>
          d.metadata?.labels?.['app.kubernetes.io/instance'] === RELEASE &&
          (d.metadata.generation ?? 0) > (generations.get(d.metadata.name!) ?? 0),
      );
      expect(rolled.map((d) => d.metadata?.labels?.['app.kubernetes.io/component']).sort()).toEqual(
        expect.arrayContaining(['controller', 'gateway', 'web', 'writer']),
      );
      await waitPodsReady(kc, NAMESPACE, STEP_TIMEOUT_MS);
      // Every bar of the file between the first and the newest stored tick is there once:
      // the restarts neither lost nor doubled any. (Eventually: ticks a restarted writer had
      // not acked are redelivered to the next, after newer ones may have been stored.)
      await eventually(
        () => missingBars(db!),
        (gaps) => gaps.length === 0,
        {
          timeoutMs: 120_000,
          intervalMs: 2_000,
        },
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'deleting a resource takes its workloads away',
    async () => {
      await kc.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({
        group: 'cryptoviz.dev',
        version: 'v1alpha1',
        namespace: NAMESPACE,
        plural: 'predictionmodels',
        name: MODEL_NAME,
      });
      await eventually(
        () => workerDeployments(kc, NAMESPACE, MODEL_NAME),
        (deployments) => deployments.length === 0,
        { timeoutMs: 120_000, intervalMs: 1_000 },
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'helm uninstall leaves only what the chart documents: CRDs, PersistentVolumeClaims and the kept Secrets',
    async () => {
      await kc.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({
        group: 'cryptoviz.dev',
        version: 'v1alpha1',
        namespace: NAMESPACE,
        plural: 'cryptosources',
        name: SOURCE_NAME,
      });
      await db?.end();
      db = undefined;
      const removed = await runHelm(helm, [
        'uninstall',
        RELEASE,
        '--namespace',
        NAMESPACE,
        '--wait',
        '--timeout',
        '5m',
        '--kubeconfig',
        cluster!.kubeconfigPath,
      ]);
      expect(removed.code).toBe(0);
      const core = kc.makeApiClient(CoreV1Api);
      const apps = kc.makeApiClient(AppsV1Api);
      await eventually(
        async () => (await core.listNamespacedPod({ namespace: NAMESPACE })).items.length,
        (n) => n === 0,
        { timeoutMs: 180_000, intervalMs: 1_000 },
      );
      expect((await apps.listNamespacedDeployment({ namespace: NAMESPACE })).items).toEqual([]);
      expect((await apps.listNamespacedStatefulSet({ namespace: NAMESPACE })).items).toEqual([]);
      expect((await core.listNamespacedService({ namespace: NAMESPACE })).items).toEqual([]);
      expect(
        (await core.listNamespacedConfigMap({ namespace: NAMESPACE })).items.map(nameOf),
      ).toEqual(['kube-root-ca.crt']);
      const secrets = (await core.listNamespacedSecret({ namespace: NAMESPACE })).items.map(nameOf);
      expect(secrets.sort()).toEqual([
        `${RELEASE}-cryptoviz-database`,
        `${RELEASE}-cryptoviz-gateway-token`,
      ]);
      const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace: NAMESPACE }))
        .items;
      expect(claims).toHaveLength(2);
    },
    STEP_TIMEOUT_MS,
  );
});

const nameOf = (object: { metadata?: { name?: string } }) => object.metadata?.name ?? '';

interface ResourceStatus {
  conditions?: { type: string; status: string; reason?: string }[];
}

async function resourceStatus(
  kc: KubeConfig,
  plural: string,
  name: string,
): Promise<ResourceStatus> {
  const object = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: 'cryptoviz.dev',
    version: 'v1alpha1',
    namespace: NAMESPACE,
    plural,
    name,
  })) as { status?: ResourceStatus };
  return object.status ?? {};
}

/**
 * What `kubectl scale --replicas` sends: a merge patch of the scale subresource. (A GET of the
 * subresource fails while `spec.replicas` is unset, so kubectl reads nothing first.)
 */
async function scaleResource(kc: KubeConfig, plural: string, name: string, replicas: number) {
  await kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectScale(
    {
      group: 'cryptoviz.dev',
      version: 'v1alpha1',
      namespace: NAMESPACE,
      plural,
      name,
      body: { spec: { replicas } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** Per symbol, the file's bars between the first and newest stored tick that are not stored. */
async function missingBars(
  db: pg.Pool,
): Promise<{ symbol: string; stored: number; missing: string[] }[]> {
  const replay = (SOURCE as { spec: { replay: { data: Record<string, string> } } }).spec.replay;
  const gaps = [];
  for (const symbol of Object.keys(replay.data).sort()) {
    const stored = await db.query<{ time: Date }>(
      'SELECT time FROM ticks WHERE source = $1 AND symbol = $2 ORDER BY time',
      [SOURCE_KEY, symbol],
    );
    const times = new Set(stored.rows.map((row) => row.time.getTime()));
    const first = stored.rows[0]?.time.getTime() ?? Infinity;
    const last = stored.rows.at(-1)?.time.getTime() ?? -Infinity;
    const missing = barTimes(readFileSync(join(REPO_DIR, replay.data[symbol]!), 'utf8'))
      .filter((t) => t >= first && t <= last && !times.has(t))
      .map((t) => new Date(t).toISOString());
    if (stored.rows.length === 0 || missing.length > 0) {
      gaps.push({ symbol, stored: stored.rows.length, missing: missing.slice(0, 10) });
    }
  }
  return gaps;
}

/** The bar times of a replay file (`time,open,high,low,close,volume`, header first). */
function barTimes(csv: string): number[] {
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Date.parse(line.split(',')[0]!));
}
