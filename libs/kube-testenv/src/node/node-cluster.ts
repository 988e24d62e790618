import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  AppsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { ensureCoreDns, ensureNodeBinaries, ensurePause } from '../binaries.ts';
import {
  apiserverArgs,
  etcdArgs,
  loadKubeConfig,
  waitReady,
  writeServiceAccountKeys,
  type Ports,
} from '../control-plane.ts';
import { renderKubeconfig } from '../kubeconfig.ts';
import { launch, terminate, type Launched } from '../processes.ts';
import { clusterDnsObjects } from './cluster-dns.ts';
import { removeAllContainers, startContainerd, POD_CIDR, type Containerd } from './containerd.ts';
import { ensureNodePackages, saveSysctls } from './host.ts';
import {
  createNodeNetwork,
  leftoverNamespaces,
  removeNamespace,
  type NodeNetwork,
} from './network.ts';
import { startRelay, type Relay } from './relay.ts';
import { coreDnsImage, pauseImage } from './stand-in-images.ts';
import {
  FOOTPRINT_DIR,
  liveFootprint,
  orphanedFootprints,
  removeNodeFootprint,
  type NodeFootprint,
} from './teardown.ts';

export const SERVICE_CIDR = '10.96.0.0/24';
export const CLUSTER_DNS_IP = '10.96.0.10';
export const NODE_NAME = 'cryptoviz-node';
/** Inside the node's namespace every port is free: the usual ones. */
const PORTS: Ports = { etcdClient: 2379, etcdPeer: 2380, apiserver: 6443 };
/** The name the API server's self-signed certificate carries whatever address it is reached at. */
const API_SERVER_NAME = 'kubernetes.default.svc';

export interface NodeClusterOptions {
  log?: (line: string) => void;
}

export interface NodeCluster {
  dir: string;
  network: NodeNetwork;
  /** An admin kubeconfig for this process (through the relay on host loopback). */
  kubeconfigPath: string;
  kubeConfig(): KubeConfig;
  importImage(file: string): Promise<void>;
  /** A host loopback port that reaches `host:port` inside the node's network (a Service, a Pod). */
  forward(host: string, port: number): Promise<number>;
  /** hostPath PersistentVolumes on the node: a bare cluster has no provisioner for claims. */
  addVolumes(count: number, size: string): Promise<void>;
  /** Component logs, by name, for a failing test to show. */
  logFile(component: string): string;
  stop(): Promise<string[]>;
}

/**
 * A real single-node Kubernetes in a network namespace of its own: containerd and runc from
 * the distribution, etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and
 * kube-proxy built from source, CoreDNS as the cluster DNS. Pods get addresses on a bridge
 * inside the namespace and reach the API server at the node's address there. One node per
 * machine at a time (kubelet's cgroups are machine-wide); a crashed run's leftovers are
 * removed first.
 */
export async function startNodeCluster(options: NodeClusterOptions = {}): Promise<NodeCluster> {
  const log = options.log ?? (() => undefined);
  for (const orphan of orphanedFootprints()) {
    log(`removing what a crashed node run left (${orphan.namespace})…`);
    await removeNodeFootprint(orphan);
  }
  const running = liveFootprint();
  if (running) {
    throw new Error(
      `another node runs on this machine (process ${running.owner}, ${running.dir}); ` +
        'kubelet allows one per machine: wait for it to end',
    );
  }
  // Namespaces a run left before it could record its footprint.
  for (const name of await leftoverNamespaces()) await removeNamespace(name);
  await ensureNodePackages(log);
  const [binaries, coreDnsBinary, pauseBinary] = await Promise.all([
    ensureNodeBinaries(log),
    ensureCoreDns(log),
    ensurePause(log),
  ]);
  const [pause, coreDns] = await Promise.all([
    pauseImage(pauseBinary),
    coreDnsImage(coreDnsBinary),
  ]);

  // Short: containerd's socket path must fit a sockaddr_un.
  const dir = mkdtempSync('/tmp/cvnode-');
  const network = await createNodeNetwork();
  const footprint: NodeFootprint = {
    owner: process.pid,
    dir,
    namespace: network.name,
    startedAt: Date.now(),
    sysctls: saveSysctls(),
  };
  mkdirSync(FOOTPRINT_DIR, { recursive: true });
  writeFileSync(join(FOOTPRINT_DIR, `${network.name}.json`), JSON.stringify(footprint));
  const processes: Launched[] = [];
  let relay: Relay | undefined;
  let containerd: Containerd | undefined;
  const logFile = (component: string) => join(dir, `${component}.log`);
  const start = (name: string, command: string, args: string[]) => {
    const [prefix, rest] = network.exec(command, args);
    const launched = launch(name, prefix, rest, logFile(name), false);
    processes.push(launched);
    return launched;
  };
  const killOnExit = () => {
    for (const proc of processes) proc.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<string[]> => {
    process.off('exit', killOnExit);
    const problems: string[] = [];
    // Nothing may recreate what is being stopped: controllers first, then every Pod, so kubelet
    // stops its containers and the CNI plugin releases their addresses.
    for (const name of ['kube-controller-manager', 'kube-scheduler']) {
      const proc = processes.find((p) => p.name === name);
      if (proc) await terminate(proc);
    }
    if (relay && processes.some((p) => p.name === 'kubelet')) {
      await deleteAllPods(loadKubeConfig(join(dir, 'kubeconfig')), containerd).catch((err) =>
        problems.push(`deleting Pods: ${(err as Error).message}`),
      );
    }
    for (const name of ['kubelet', 'kube-proxy', 'kube-apiserver', 'etcd']) {
      const proc = processes.find((p) => p.name === name);
      if (proc) await terminate(proc);
    }
    if (containerd) await removeAllContainers(containerd);
    await relay?.close();
    if (containerd) await terminate(containerd.process);
    problems.push(...(await removeNodeFootprint(footprint)));
    return problems;
  };

  try {
    containerd = await startContainerd(network, dir, pause.ref);
    await Promise.all([containerd.importImage(pause.file), containerd.importImage(coreDns.file)]);
    log('containerd up, node images imported');

    mkdirSync(join(dir, 'certs'), { recursive: true });
    const token = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin-uid,"system:masters"\n`);
    writeServiceAccountKeys(dir);
    const etcd = start('etcd', binaries.etcd, etcdArgs(dir, PORTS));
    const apiserver = start(
      'kube-apiserver',
      binaries.kubeApiserver,
      apiserverArgs(dir, PORTS, { nodeAddress: network.address, serviceCidr: SERVICE_CIDR }),
    );
    relay = await startRelay(network, dir);
    const hostPort = await relay.forward('127.0.0.1', PORTS.apiserver);
    const caFile = join(dir, 'certs', 'apiserver.crt');
    await waitReady(
      `https://127.0.0.1:${hostPort}`,
      token,
      caFile,
      [etcd, apiserver],
      logFile('kube-apiserver'),
      API_SERVER_NAME,
    );
    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfigPath,
      renderKubeconfig(`https://127.0.0.1:${hostPort}`, token, caFile, API_SERVER_NAME),
    );
    // The node's own components reach the API server inside the namespace.
    const nodeKubeconfig = join(dir, 'node.kubeconfig');
    writeFileSync(
      nodeKubeconfig,
      renderKubeconfig(`https://${network.address}:${PORTS.apiserver}`, token, caFile),
    );
    log('kube-apiserver ready');

    start('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${nodeKubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--service-account-private-key-file=${join(dir, 'certs/sa.key')}`,
      `--root-ca-file=${caFile}`,
      '--use-service-account-credentials=false',
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--v=1',
    ]);
    start('kube-scheduler', binaries.kubeScheduler, [
      `--kubeconfig=${nodeKubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--v=1',
    ]);
    start('kube-proxy', binaries.kubeProxy, [
      `--kubeconfig=${nodeKubeconfig}`,
      `--hostname-override=${NODE_NAME}`,
      '--proxy-mode=iptables',
      `--cluster-cidr=${POD_CIDR}`,
      // conntrack's table size is machine-wide: not ours to change.
      '--conntrack-max-per-core=0',
      '--metrics-bind-address=127.0.0.1:10249',
      '--healthz-bind-address=127.0.0.1:10256',
      '--v=1',
    ]);
    const kubeletConfig = join(dir, 'kubelet.yaml');
    writeFileSync(kubeletConfig, kubeletConfiguration(containerd.socket, dir));
    start('kubelet', binaries.kubelet, [
      `--config=${kubeletConfig}`,
      `--kubeconfig=${nodeKubeconfig}`,
      `--root-dir=${join(dir, 'kubelet')}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${network.address}`,
      '--v=1',
    ]);
    const kc = loadKubeConfig(kubeconfigPath);
    await waitNodeReady(kc, processes, dir);
    log(`node ${NODE_NAME} Ready`);

    await applyAll(kc, clusterDnsObjects({ image: coreDns.ref, clusterIP: CLUSTER_DNS_IP }));
    await waitDeploymentReady(kc, 'kube-system', 'coredns', 120_000);
    log('cluster DNS ready');

    const ready = relay;
    const runtime = containerd;
    let volumes = 0;
    return {
      dir,
      network,
      kubeconfigPath,
      kubeConfig: () => loadKubeConfig(kubeconfigPath),
      importImage: (file) => runtime.importImage(file),
      forward: (host, port) => ready.forward(host, port),
      async addVolumes(count, size) {
        const objects: KubernetesObject[] = [];
        for (let i = 0; i < count; i++, volumes++) {
          const path = join(dir, 'volumes', `pv-${volumes}`);
          mkdirSync(path, { recursive: true });
          // Any uid the chart's Pods run as may write here: hostPath gets no fsGroup, and the
          // mode mkdir takes is narrowed by the umask.
          chmodSync(path, 0o777);
          objects.push({
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            metadata: { name: `node-pv-${volumes}` },
            spec: {
              capacity: { storage: size },
              accessModes: ['ReadWriteOnce'],
              persistentVolumeReclaimPolicy: 'Retain',
              hostPath: { path, type: 'Directory' },
            },
          } as KubernetesObject);
        }
        await applyAll(kc, objects);
      },
      logFile,
      stop,
    };
  } catch (err) {
    const problems = await stop();
    if (problems.length > 0) log(`cleanup after a failed start: ${problems.join('; ')}`);
    throw err;
  }
}

function kubeletConfiguration(socket: string, dir: string): string {
  return JSON.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // Kubernetes 1.35 refuses cgroup v1 unless told otherwise; these machines have it.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    containerRuntimeEndpoint: `unix://${socket}`,
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    failSwapOn: false,
    podLogsDir: join(dir, 'pod-logs'),
    healthzBindAddress: '127.0.0.1',
    readOnlyPort: 0,
    clusterDNS: [CLUSTER_DNS_IP],
    clusterDomain: 'cluster.local',
    // No host resolver: Pods resolve cluster names only, and nothing asks outside the node.
    resolvConf: '',
    serializeImagePulls: false,
    // Imported images have no registry to come back from: never collect them.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: {
      'memory.available': '100Mi',
      'nodefs.available': '1%',
      'imagefs.available': '1%',
      'nodefs.inodesFree': '1%',
    },
  });
}

async function applyAll(kc: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) await client.create(object);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitNodeReady(kc: KubeConfig, processes: Launched[], dir: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const dead = processes.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    if (dead)
      throw new Error(`${dead.name} exited during start; see ${join(dir, `${dead.name}.log`)}`);
    const node = await core.readNode({ name: NODE_NAME }).catch(() => undefined);
    if (node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
    await sleep(500);
  }
  throw new Error(`node ${NODE_NAME} was not Ready within 180 s; see ${join(dir, 'kubelet.log')}`);
}

export async function waitDeploymentReady(
  kc: KubeConfig,
  namespace: string,
  name: string,
  timeoutMs: number,
): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const deployment = await apps
      .readNamespacedDeployment({ name, namespace })
      .catch(() => undefined);
    const want = deployment?.spec?.replicas ?? 1;
    if (deployment && (deployment.status?.readyReplicas ?? 0) >= want) return;
    await sleep(500);
  }
  throw new Error(`Deployment ${namespace}/${name} was not ready within ${timeoutMs / 1000} s`);
}

/** Every Pod, deleted at once, then waited for until kubelet has stopped their containers. */
async function deleteAllPods(kc: KubeConfig, containerd: Containerd | undefined): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const namespaces = await core.listNamespace();
  for (const ns of namespaces.items) {
    await core.deleteCollectionNamespacedPod({
      namespace: ns.metadata!.name!,
      gracePeriodSeconds: 0,
    });
  }
  if (!containerd) return;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await containerd.ctr('task', 'ls', '-q')).trim() === '') return;
    await sleep(500);
  }
  throw new Error('containers were still running 60 s after their Pods were deleted');
}
