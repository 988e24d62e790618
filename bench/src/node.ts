/**
 * The chart on a real node (the harness of charts/cryptoviz/test/node.test.ts): from
 * `helm install` to the first stored tick of the sample replay source, each Pod's start (created
 * → Ready), and the memory each Pod uses once the pipeline runs (its cgroup's RSS, which is
 * what a limit is measured against). Cold builds are not timed: run it once warm.
 * Prints one JSON line, then a table for people.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describeMachine } from './machine.ts';
import { join } from 'node:path';
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { natsImage, postgresImage, startNodeCluster } from '@cryptoviz/kube-testenv';
import { buildImage } from '../../apps/cli/src/build/image.ts';
import {
  CHART_DIR,
  findHelm,
  helmWithValues,
  REPO_DIR,
} from '../../charts/cryptoviz/test/chart-fixture.ts';
import {
  bundledDatabase,
  imageValues,
  waitPodsReady,
} from '../../charts/cryptoviz/test/node-fixture.ts';

const NAMESPACE = 'cryptoviz';
const RELEASE = 'cv';
const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Pod's resident memory: the sum over its containers' cgroups (cgroup v1 memory.stat rss). */
function podRssBytes(uid: string): number | undefined {
  const root = '/sys/fs/cgroup/memory/kubepods';
  if (!existsSync(root)) return undefined;
  const dirs = [root, join(root, 'burstable'), join(root, 'besteffort')];
  const podDir = dirs.map((dir) => join(dir, `pod${uid}`)).find((dir) => existsSync(dir));
  if (!podDir) return undefined;
  const stat = readFileSync(join(podDir, 'memory.stat'), 'utf8');
  const rss = /^total_rss (\d+)$/m.exec(stat);
  return rss ? Number(rss[1]) : undefined;
}

const sample = (file: string) =>
  parseYaml(readFileSync(join(REPO_DIR, 'k8s-dev/samples', file), 'utf8')) as KubernetesObject;

const [helm, platform, nats, postgres] = await Promise.all([
  findHelm(),
  buildImage(log),
  natsImage(),
  postgresImage(),
]);
const cluster = await startNodeCluster({ log });
try {
  for (const image of [platform, nats, postgres]) await cluster.importImage(image.file);
  await cluster.addVolumes(2, '1Gi');
  const kc = cluster.kubeConfig();
  const values = {
    image: { ...imageValues(platform.ref), pullPolicy: 'Never' },
    nats: { image: imageValues(nats.ref), storage: { size: '1Gi' } },
    database: { image: imageValues(postgres.ref), storage: { size: '1Gi' } },
    samples: [sample('source-replay.yaml'), sample('model-consensus.yaml')].map((object) => ({
      kind: object.kind,
      name: object.metadata!.name,
      spec: (object as { spec: unknown }).spec,
    })),
  };
  const installStarted = Date.now();
  const installed = await helmWithValues(
    helm,
    ['install', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--create-namespace'],
    values,
    ['--kubeconfig', cluster.kubeconfigPath],
  );
  if (installed.code !== 0) throw new Error(`helm install failed: ${installed.stderr}`);
  await waitPodsReady(kc, NAMESPACE, 15 * 60_000);
  const db = await bundledDatabase(cluster, NAMESPACE, `${RELEASE}-cryptoviz-database`);
  let firstTickAt = 0;
  while (!firstTickAt) {
    const stored = await db
      .query<{ n: string }>('SELECT count(*) AS n FROM ticks')
      .catch(() => ({ rows: [{ n: '0' }] }));
    if (Number(stored.rows[0]!.n) > 0) firstTickAt = Date.now();
    else await sleep(250);
  }
  // Let the pipeline run before memory is read: forecasts made, caches warm.
  await sleep(60_000);
  const pods = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NAMESPACE }))
    .items;
  const rows = pods
    .filter((pod) => pod.status?.phase === 'Running')
    .map((pod) => {
      const created = pod.metadata!.creationTimestamp!.getTime();
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
      const rss = podRssBytes(pod.metadata!.uid!);
      return {
        pod: pod.metadata!.name!,
        component: pod.metadata?.labels?.['app.kubernetes.io/component'] ?? '',
        startS: ready?.lastTransitionTime
          ? (new Date(ready.lastTransitionTime).getTime() - created) / 1000
          : null,
        rssMiB: rss === undefined ? null : Math.round((rss / 2 ** 20) * 10) / 10,
      };
    })
    .sort((a, b) => a.pod.localeCompare(b.pod));
  await db.end();
  const result = {
    bench: 'node',
    machine: describeMachine(),
    installToFirstTickS: (firstTickAt - installStarted) / 1000,
    pods: rows,
  };
  console.log(JSON.stringify(result));
  console.log(`helm install → first stored tick: ${result.installToFirstTickS.toFixed(1)} s`);
  console.log('pod'.padEnd(52), 'start s'.padStart(8), 'RSS MiB'.padStart(8));
  for (const row of rows) {
    console.log(
      row.pod.padEnd(52),
      String(row.startS ?? '-').padStart(8),
      String(row.rssMiB ?? '-').padStart(8),
    );
  }
} finally {
  const problems = await cluster.stop();
  if (problems.length > 0) log(`cleanup: ${problems.join('; ')}`);
}
