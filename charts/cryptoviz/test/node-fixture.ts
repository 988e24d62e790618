// What the real-node test needs around the chart: the images it imports, the values it installs
// with, and ways into the node's network (Services through the relay, the bundled database).
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import pg from 'pg';
import {
  nodeUnsupportedReason,
  standInPostgresUnavailable,
  type NodeCluster,
} from '@cryptoviz/kube-testenv';

/**
 * Why the chart's real-node test cannot run on this machine, or undefined when it can: the
 * node's own needs, then the bundled database's stand-in (this machine's TimescaleDB).
 */
export function realNodeTestUnavailable(): string | undefined {
  return nodeUnsupportedReason() ?? standInPostgresUnavailable();
}

/** `registry/repo:tag` → the chart's `{ repository, tag }`. */
export function imageValues(ref: string): { repository: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why a Pod is not Ready, in a user's words: its phase, then each waiting container's reason. */
export function podProblem(pod: V1Pod): string | undefined {
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  if (ready || pod.status?.phase === 'Succeeded') return undefined;
  const waiting = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ]
    .map((c) => {
      const state = c.state?.waiting ?? c.state?.terminated;
      return state ? `${c.name}: ${state.reason ?? ''} ${state.message ?? ''}`.trim() : undefined;
    })
    .filter(Boolean);
  const scheduled = pod.status?.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status !== 'True',
  );
  const reasons = [...waiting, ...(scheduled ? [`unscheduled: ${scheduled.message}`] : [])];
  return `${pod.metadata?.name} ${pod.status?.phase}${reasons.length ? ` (${reasons.join('; ')})` : ''}`;
}

/** Waits until every Pod of the namespace is Ready (or done); the failure lists those that are not. */
export async function waitPodsReady(
  kc: KubeConfig,
  namespace: string,
  timeoutMs: number,
): Promise<V1Pod[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  let problems: string[] = [];
  while (Date.now() < deadline) {
    const pods = (await core.listNamespacedPod({ namespace })).items;
    problems = pods.map(podProblem).filter((p): p is string => p !== undefined);
    if (pods.length > 0 && problems.length === 0) return pods;
    await sleep(1_000);
  }
  throw new Error(
    `Pods not Ready after ${timeoutMs / 1000} s: ${problems.join(' | ') || 'none created'}`,
  );
}

/** The Service of a chart component (by its component label): its cluster address and ports. */
export async function serviceOf(
  kc: KubeConfig,
  namespace: string,
  component: string,
): Promise<{ clusterIP: string; port(name: string): number }> {
  const core = kc.makeApiClient(CoreV1Api);
  const services = await core.listNamespacedService({
    namespace,
    labelSelector: `app.kubernetes.io/component=${component}`,
  });
  const service = services.items[0];
  if (!service?.spec?.clusterIP) throw new Error(`no Service for component ${component}`);
  return {
    clusterIP: service.spec.clusterIP,
    port(name) {
      const port = service.spec!.ports?.find((p) => p.name === name)?.port;
      if (port === undefined)
        throw new Error(`Service ${service.metadata?.name} has no port ${name}`);
      return port;
    },
  };
}

/** A client of the bundled PostgreSQL, through its Service, with the password from its Secret. */
export async function bundledDatabase(
  cluster: NodeCluster,
  namespace: string,
  secretName: string,
): Promise<pg.Pool> {
  const kc = cluster.kubeConfig();
  const secret = await kc
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({ name: secretName, namespace });
  const password = Buffer.from(secret.data!.password!, 'base64').toString();
  const service = await serviceOf(kc, namespace, 'postgresql');
  const port = await cluster.forward(service.clusterIP, service.port('postgres'));
  const pool = new pg.Pool({
    host: '127.0.0.1',
    port,
    user: 'cryptoviz',
    database: 'cryptoviz',
    password,
    max: 2,
  });
  // The database Pod goes away with an upgrade or an uninstall, and pool.end() resolves before
  // its connections have closed: an idle one ended by the server must not throw at the run.
  pool.on('error', () => undefined);
  return pool;
}

/** The Deployments the controller made for one resource, by the owner label it puts on them. */
export async function workerDeployments(kc: KubeConfig, namespace: string, owner: string) {
  const apps = kc.makeApiClient(AppsV1Api);
  const all = await apps.listNamespacedDeployment({ namespace });
  return all.items.filter((d) =>
    (d.metadata?.ownerReferences ?? []).some((ref) => ref.name === owner),
  );
}
