/**
 * The operator against a real kube-apiserver + etcd (k8s-dev, built on first use):
 *  - create → Deployment latency: 200 CryptoSources created one after another, each timed from
 *    the create call to its Deployment appearing on a watch (p50, p99);
 *  - convergence: 1,000 more created 20 at a time, timed until every one has its Deployment
 *    and a status for its current generation;
 *  - the controller's memory (RSS, and its peak) with all 1,200 resources in its caches.
 * The controller runs compiled (`node dist/cryptoviz.js controller`, as in the image) in a
 * separate process, as in a pod, with the V8 heap cap a 256 MiB container gets
 * (BENCH_CONTROLLER_NODE_OPTIONS overrides it).
 * Prints one JSON line, then a summary for people.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  Watch,
  type V1Deployment,
} from '@kubernetes/client-node';
import { ensureCompiledPlatform } from '@cryptoviz/cli/compile';
import { startControlPlane } from '@cryptoviz/kube-testenv';

const LATENCY_RESOURCES = 200;
const CONVERGE_RESOURCES = 1_000;
const CREATE_CONCURRENCY = 20;
const NAMESPACE = 'bench';
const NODE_OPTIONS = process.env.BENCH_CONTROLLER_NODE_OPTIONS ?? '--max-old-space-size=128';

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

const plane = await startControlPlane({ log });
const kc = plane.kubeConfig();
const objects = kc.makeApiClient(KubernetesObjectApi);
const custom = kc.makeApiClient(CustomObjectsApi);
await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });

const entry = await ensureCompiledPlatform(log);
const nodeOptions = NODE_OPTIONS.split(' ').filter(Boolean);
const controller = spawn(process.execPath, [...nodeOptions, entry, 'controller'], {
  env: {
    ...process.env,
    KUBECONFIG: plane.kubeconfigPath,
    WATCH_NAMESPACE: NAMESPACE,
    CRYPTOVIZ_NAMESPACE: `bench${process.pid}`,
    CONTROLLER_ID: 'bench',
    CONTROLLER_RESYNC_S: '120',
    HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

try {
  const leases = kc.makeApiClient(CoordinationV1Api);
  for (;;) {
    const lease = await leases
      .readNamespacedLease({ name: 'cryptoviz-controller', namespace: NAMESPACE })
      .catch(() => undefined);
    if (lease?.spec?.holderIdentity === 'bench') break;
    await sleep(100);
  }

  await sleep(2_000);
  const idle = memoryOf(controller.pid!);

  // Deployments as they appear, timed by a watch of our own.
  const seenAt = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  await new Watch(kc).watch(
    `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`,
    {},
    (type: string, deployment: V1Deployment) => {
      const name = deployment.metadata!.name!;
      if (type !== 'ADDED' || seenAt.has(name)) return;
      seenAt.set(name, performance.now());
      waiters.get(name)?.();
    },
    () => undefined,
  );
  const deploymentSeen = (name: string) =>
    new Promise<void>((resolve) => (seenAt.has(name) ? resolve() : waiters.set(name, resolve)));
  const create = (name: string) =>
    objects.create({
      apiVersion: 'cryptoviz.dev/v1alpha1',
      kind: 'CryptoSource',
      metadata: { name, namespace: NAMESPACE },
      spec: { provider: 'synthetic', symbols: ['BTC', 'ETH'], interval: '1s' },
    } as never);

  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_RESOURCES; i++) {
    const started = performance.now();
    await create(`lat-${i}`);
    await deploymentSeen(`fetcher-lat-${i}-0`);
    latencies.push(seenAt.get(`fetcher-lat-${i}-0`)! - started);
  }
  latencies.sort((a, b) => a - b);

  const convergeStart = performance.now();
  const names = Array.from({ length: CONVERGE_RESOURCES }, (_, i) => `conv-${i}`);
  for (let i = 0; i < names.length; i += CREATE_CONCURRENCY) {
    await Promise.all(names.slice(i, i + CREATE_CONCURRENCY).map(create));
  }
  await Promise.all(names.map((name) => deploymentSeen(`fetcher-${name}-0`)));
  const wanted = new Set(names);
  for (;;) {
    const list = (await custom.listNamespacedCustomObject({
      group: 'cryptoviz.dev',
      version: 'v1alpha1',
      namespace: NAMESPACE,
      plural: 'cryptosources',
    })) as {
      items: {
        metadata: { name: string; generation: number };
        status?: { observedGeneration?: number };
      }[];
    };
    const done = list.items.filter(
      (o) => wanted.has(o.metadata.name) && o.status?.observedGeneration === o.metadata.generation,
    ).length;
    if (done === CONVERGE_RESOURCES) break;
    await sleep(200);
  }
  const convergeSeconds = (performance.now() - convergeStart) / 1000;
  await sleep(2_000); // let the last status writes and GC settle before reading memory
  const memory = memoryOf(controller.pid!);

  const result = {
    bench: 'operator',
    machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    kubernetes: 'v1.35.4 (kube-apiserver + etcd on loopback)',
    createToDeploymentMs: {
      n: latencies.length,
      p50: Number(quantile(latencies, 0.5).toFixed(1)),
      p99: Number(quantile(latencies, 0.99).toFixed(1)),
      max: Number(latencies.at(-1)!.toFixed(1)),
    },
    converge1000Seconds: Number(convergeSeconds.toFixed(2)),
    controllerIdleRssMb: Number(idle.rssMb.toFixed(1)),
    controllerRssMb: Number(memory.rssMb.toFixed(1)),
    controllerPeakRssMb: Number(memory.peakMb.toFixed(1)),
    resourcesInCache: LATENCY_RESOURCES + CONVERGE_RESOURCES,
    controllerNodeOptions: NODE_OPTIONS,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.stdout.write(
    [
      '',
      `create → Deployment (n=${latencies.length}): p50 ${result.createToDeploymentMs.p50} ms, p99 ${result.createToDeploymentMs.p99} ms (target ≤ 500 ms)`,
      `1,000 resources converged in ${result.converge1000Seconds} s (target ≤ 60 s)`,
      `controller RSS ${result.controllerRssMb} MB, peak ${result.controllerPeakRssMb} MB with ${result.resourcesInCache} resources (target ≤ 200 MB); ${result.controllerIdleRssMb} MB with none`,
      '',
    ].join('\n'),
  );
} finally {
  controller.kill('SIGTERM');
  await new Promise((resolve) => controller.once('exit', resolve));
  await plane.stop();
}
