import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as netConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
  setHeaderOptions,
  type RequestContext,
  type V1ConfigMap,
  type V1Deployment,
  type V1DeploymentStatus,
  type V1LeaseSpec,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startControlPlane, type ControlPlane } from '@cryptoviz/kube-testenv';
import { createTestBus, eventually, type TestBus } from '@cryptoviz/testkit';
import {
  connectControllerBus,
  startKubernetesController,
  type Bus,
  type RunningController,
} from '../src/index.ts';

/** Building kube-apiserver the first time on a fresh machine takes a long while (cached after). */
export const CONTROL_PLANE_TIMEOUT_MS = 60 * 60_000;

export const API_VERSION = 'cryptoviz.dev/v1alpha1';

export interface Cluster {
  plane: ControlPlane;
  kc: KubeConfig;
  objects: KubernetesObjectApi;
  apps: AppsV1Api;
  core: CoreV1Api;
  custom: CustomObjectsApi;
}

/** `garbageCollector`: run Kubernetes' garbage collector too (none by default). */
export async function startCluster(options: { garbageCollector?: boolean } = {}): Promise<Cluster> {
  const plane = await startControlPlane({
    log: (line) => process.stderr.write(`[k8s] ${line}\n`),
    garbageCollector: options.garbageCollector,
  });
  const kc = plane.kubeConfig();
  return {
    plane,
    kc,
    objects: kc.makeApiClient(KubernetesObjectApi),
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
}

/**
 * A control plane for the enclosing describe block, started before its tests and stopped after
 * them. The object is filled in once it runs, so tests use it as they would startCluster's.
 */
export function useCluster(options: { garbageCollector?: boolean } = {}): Cluster {
  const cluster = {} as Cluster;
  beforeAll(async () => {
    Object.assign(cluster, await startCluster(options));
  }, CONTROL_PLANE_TIMEOUT_MS);
  afterAll(async () => {
    await cluster.plane?.stop();
  });
  return cluster;
}

export async function createNamespace(cluster: Cluster): Promise<string> {
  const name = `t-${randomBytes(4).toString('hex')}`;
  await cluster.core.createNamespace({ body: { metadata: { name } } });
  return name;
}

/** What `kubectl apply --server-side` does, as a user (its own field manager). */
export async function userApply(cluster: Cluster, object: KubernetesObject): Promise<void> {
  await cluster.objects.patch(
    object,
    undefined,
    undefined,
    'kubectl',
    true,
    PatchStrategy.ServerSideApply,
  );
}

/** The API server's own words for a refused request (the Status message, fields named). */
export async function rejection(request: Promise<unknown>): Promise<string> {
  try {
    await request;
  } catch (err) {
    const body = (err as { body?: unknown }).body;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return (JSON.parse(text) as { message: string }).message;
  }
  throw new Error('the API server accepted it');
}

export function source(namespace: string, name: string, spec: Record<string, unknown>) {
  return { apiVersion: API_VERSION, kind: 'CryptoSource', metadata: { name, namespace }, spec };
}

export function model(namespace: string, name: string, spec: Record<string, unknown>) {
  return { apiVersion: API_VERSION, kind: 'PredictionModel', metadata: { name, namespace }, spec };
}

export async function deploymentsOf(
  cluster: Cluster,
  namespace: string,
  resource: string,
): Promise<V1Deployment[]> {
  const list = await cluster.apps.listNamespacedDeployment({
    namespace,
    labelSelector: `cryptoviz.dev/resource=${resource}`,
  });
  return list.items.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
}

export async function configMapsOf(
  cluster: Cluster,
  namespace: string,
  resource: string,
): Promise<V1ConfigMap[]> {
  const list = await cluster.core.listNamespacedConfigMap({
    namespace,
    labelSelector: `cryptoviz.dev/resource=${resource}`,
  });
  return list.items;
}

/**
 * Writes a Deployment's status as the Deployment controller would. The test control plane has
 * none, so without this every Deployment stays unobserved: rolling out forever.
 */
export async function writeDeploymentStatus(
  cluster: Cluster,
  deployment: V1Deployment,
  status: V1DeploymentStatus,
): Promise<void> {
  await cluster.apps.patchNamespacedDeploymentStatus(
    {
      name: deployment.metadata!.name!,
      namespace: deployment.metadata!.namespace!,
      body: { status },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** What a Deployment's status says once its current pod template runs and is available. */
export function rolledOut(deployment: V1Deployment): V1DeploymentStatus {
  const replicas = deployment.spec?.replicas ?? 1;
  return {
    observedGeneration: deployment.metadata!.generation,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
  };
}

/** Completes the rollout of every Deployment a resource has now. */
export async function finishRollout(
  cluster: Cluster,
  namespace: string,
  resource: string,
): Promise<void> {
  for (const deployment of await deploymentsOf(cluster, namespace, resource)) {
    await writeDeploymentStatus(cluster, deployment, rolledOut(deployment));
  }
}

export async function readCustom(
  cluster: Cluster,
  namespace: string,
  plural: string,
  name: string,
) {
  try {
    return (await cluster.custom.getNamespacedCustomObject({
      group: 'cryptoviz.dev',
      version: 'v1alpha1',
      namespace,
      plural,
      name,
    })) as {
      metadata: { finalizers?: string[]; generation: number; uid: string };
      spec: Record<string, unknown>;
      status?: {
        observedGeneration?: number;
        replicas?: number;
        conditions?: { type: string; status: string; reason: string; message: string }[];
      };
    };
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

export function condition(
  object: Awaited<ReturnType<typeof readCustom>>,
  type: string,
): { status: string; reason: string; message: string } | undefined {
  return object?.status?.conditions?.find((c) => c.type === type);
}

/** The spec of the controller's Lease in `namespace`, or undefined when there is none. */
export async function leaseOf(
  cluster: Cluster,
  namespace: string,
): Promise<V1LeaseSpec | undefined> {
  const leases = cluster.kc.makeApiClient(CoordinationV1Api);
  try {
    return (await leases.readNamespacedLease({ name: 'cryptoviz-controller', namespace })).spec;
  } catch {
    return undefined;
  }
}

/**
 * A kubeconfig whose API requests can be held back (those `holdWhen` picks) until released: a
 * reconcile kept in flight, from the outside.
 */
export class GatedKubeConfig extends KubeConfig {
  holdWhen?: (method: string, url: string) => boolean;
  private readonly held: (() => void)[] = [];

  get heldCount(): number {
    return this.held.length;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    if (this.holdWhen?.(context.getHttpMethod(), context.getUrl())) {
      await new Promise<void>((resolve) => this.held.push(resolve));
    }
  }

  /** Lets every held request go, and holds no more. */
  release(): void {
    this.holdWhen = undefined;
    for (const resolve of this.held.splice(0)) resolve();
  }
}

/**
 * A TCP proxy that can freeze: connections stay open and new ones are accepted, but nothing
 * passes until it thaws, like a server (or network) that hangs rather than fails.
 */
export async function createFreezingProxy(targetHost: string, targetPort: number) {
  let frozen = false;
  const flushes = new Set<() => void>();
  const sockets = new Set<Socket>();
  const forward = (from: Socket, to: Socket) => {
    const pending: Buffer[] = [];
    const flush = () => {
      for (const chunk of pending.splice(0)) to.write(chunk);
    };
    from.on('data', (chunk: Buffer) => (frozen ? pending.push(chunk) : to.write(chunk)));
    flushes.add(flush);
    from.on('close', () => flushes.delete(flush));
  };
  const server = createServer((client) => {
    const upstream = netConnect(targetPort, targetHost);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    sockets.add(client).add(upstream);
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const flush of flushes) flush();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The cluster's kubeconfig with its server replaced by a local port (a proxy in front). */
export function kubeConfigVia(cluster: Cluster, port: number): KubeConfig {
  const original = cluster.plane.kubeConfig();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: original.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${port}` })),
    users: original.users,
    contexts: original.contexts,
    currentContext: original.currentContext,
  });
  return kc;
}

export interface ControllerUnderTest {
  running: RunningController;
  bus: Bus;
  /** Idempotent: a test may stop the controller itself and the cleanup stop it again. */
  stop(): Promise<void>;
}

export async function startController(
  cluster: Cluster,
  namespace: string,
  testBus: TestBus,
  extra: {
    identity?: string;
    leaseDurationMs?: number;
    writers?: Parameters<typeof startKubernetesController>[0]['writers'];
    staleAfterMs?: number;
    shutdownTimeoutMs?: number;
    kc?: KubeConfig;
    log?: (message: string) => void;
  } = {},
): Promise<ControllerUnderTest> {
  const bus = await connectControllerBus(
    testBus.url,
    testBus.topo.namespace,
    extra.identity ?? 'ctl',
    () => undefined,
  );
  const running = await startKubernetesController({
    kc: extra.kc ?? cluster.plane.kubeConfig(),
    namespace,
    render: { image: 'cryptoviz:test', baseEnv: { NATS_URL: testBus.url } },
    bus: () => bus,
    identity: extra.identity,
    leaseDurationMs: extra.leaseDurationMs ?? 4_000,
    leaseRetryMs: 500,
    resyncMs: 2_000,
    staleAfterMs: extra.staleAfterMs ?? 20_000,
    shutdownTimeoutMs: extra.shutdownTimeoutMs,
    writers: extra.writers,
    log: extra.log,
  });
  let stopping: Promise<void> | undefined;
  return {
    running,
    bus,
    stop() {
      stopping ??= (async () => {
        await running.stop();
        await bus.close();
      })();
      return stopping;
    },
  };
}

const CLI = join(import.meta.dirname, '../../cli/bin/cryptoviz.js');

/**
 * A real `cryptoviz controller` process, which a test can kill for real, on short leases
 * (4 s, retried every 0.5 s) so that another controller takes over quickly.
 */
export function spawnControllerProcess(
  cluster: Cluster,
  namespace: string,
  bus: TestBus,
  id: string,
): ChildProcess {
  return spawn(process.execPath, [CLI, 'controller'], {
    env: {
      ...process.env,
      KUBECONFIG: cluster.plane.kubeconfigPath,
      WATCH_NAMESPACE: namespace,
      NATS_URL: bus.url,
      CRYPTOVIZ_NAMESPACE: bus.topo.namespace,
      CONTROLLER_ID: id,
      LEASE_DURATION_S: '4',
      LEASE_RETRY_S: '0.5',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
}

export interface ControlledNamespace {
  bus: TestBus;
  namespace: string;
  controller: ControllerUnderTest;
}

/**
 * For each test of the enclosing describe block: a bus of its own, a fresh namespace and a
 * controller watching it, stopped after the test. Filled in before each test, like useCluster's.
 */
export function useControlledNamespace(cluster: Cluster): ControlledNamespace {
  const each = {} as ControlledNamespace;
  beforeEach(async () => {
    each.bus = await createTestBus();
    each.namespace = await createNamespace(cluster);
    each.controller = await startController(cluster, each.namespace, each.bus);
  });
  afterEach(async () => {
    await each.controller.stop();
    await each.bus.drop();
  });
  return each;
}

export { createTestBus, eventually };

/** A simulated source of three coins at two per worker: two shards, one of two coins. */
export const MAJORS_IN_TWO_SHARDS = {
  provider: 'synthetic',
  symbols: ['BTC', 'ETH', 'SOL'],
  maxSymbolsPerWorker: 2,
  interval: '1s',
};
