import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ensureControlPlaneBinaries, type ControlPlaneBinaries } from './binaries.ts';
import { installCrds, repositoryCrdFiles } from './crds.ts';
import {
  startGarbageCollector,
  waitGarbageCollectorReady,
  type GarbageCollector,
} from './garbage-collector.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { freePort } from '@cryptoviz/workloads';
import { isAlive, launch, terminate, type Launched } from './processes.ts';

export interface ControlPlaneOptions {
  /** State folder (etcd data, certs, logs, kubeconfig); a fresh temporary one by default. */
  dir?: string;
  binaries?: ControlPlaneBinaries;
  /** CRD manifests to install once the API server is up; default: the repository's crds/. */
  crdFiles?: string[];
  /** Leave the servers running after this process exits (`cryptoviz control-plane up`). */
  detached?: boolean;
  /**
   * Also run kube-controller-manager with only its garbage collector, so deleting an owner
   * deletes what its owner references point at (builds kube-controller-manager the first time).
   */
  garbageCollector?: boolean;
  log?: (line: string) => void;
}

export interface ControlPlane {
  dir: string;
  server: string;
  kubeconfigPath: string;
  kubeConfig(): KubeConfig;
  /** Kills the API server (SIGKILL by default: a crash) and starts it again on the same port. */
  restartApiServer(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
}

const STATE_FILE = 'control-plane.json';

/**
 * etcd and kube-apiserver on loopback ports with envtest-like flags: an admin user by static
 * token (group system:masters), the API server's self-signed serving cert as the kubeconfig's
 * CA, a service-account key pair made here. By default no controller-manager runs, so there is
 * no garbage collector and no Deployment controller: objects are stored, never acted on. With
 * `garbageCollector`, kube-controller-manager runs that one controller (and nothing else).
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = options.log ?? (() => undefined);
  const detached = options.detached ?? false;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'cryptoviz-k8s-'));
  mkdirSync(join(dir, 'certs'), { recursive: true });
  const withGarbageCollector = options.garbageCollector ?? false;
  const binaries =
    options.binaries ??
    (await ensureControlPlaneBinaries(log, { controllerManager: withGarbageCollector }));
  if (withGarbageCollector && !binaries.kubeControllerManager) {
    throw new Error('garbageCollector needs binaries.kubeControllerManager');
  }
  const ports: Ports = {
    etcdClient: await freePort(),
    etcdPeer: await freePort(),
    apiserver: await freePort(),
  };
  const token = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin-uid,"system:masters"\n`);
  writeServiceAccountKeys(dir);

  const etcd = launch('etcd', binaries.etcd, etcdArgs(dir, ports), join(dir, 'etcd.log'), detached);
  const startApiserver = () =>
    launch(
      'kube-apiserver',
      binaries.kubeApiserver,
      apiserverArgs(dir, ports),
      join(dir, 'kube-apiserver.log'),
      detached,
    );
  let apiserver = startApiserver();
  let garbageCollector: GarbageCollector | undefined;
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const caFile = join(dir, 'certs', 'apiserver.crt');
  const kubeconfigPath = join(dir, 'kubeconfig');
  // Attached servers must not outlive a test run that crashes or is interrupted.
  const killOnExit = () => {
    for (const proc of [garbageCollector, apiserver, etcd]) proc?.child.kill('SIGKILL');
  };
  if (!detached) process.once('exit', killOnExit);
  // Clients first: a collector outliving its API server only logs connection errors.
  const stopAll = async () => {
    process.off('exit', killOnExit);
    if (garbageCollector) await terminate(garbageCollector);
    await terminate(apiserver);
    await terminate(etcd);
  };
  try {
    await waitReady(server, token, caFile, [etcd, apiserver], join(dir, 'kube-apiserver.log'));
    writeFileSync(kubeconfigPath, renderKubeconfig(server, token, caFile));
    const kc = loadKubeConfig(kubeconfigPath);
    await installCrds(kc, options.crdFiles ?? repositoryCrdFiles());
    if (withGarbageCollector) {
      garbageCollector = startGarbageCollector(
        binaries.kubeControllerManager!,
        kubeconfigPath,
        join(dir, 'kube-controller-manager.log'),
        detached,
      );
      await waitGarbageCollectorReady(garbageCollector);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  // Stopped in this order by stopDetachedControlPlane: clients before the servers they use.
  const pids = [garbageCollector?.child.pid, apiserver.child.pid, etcd.child.pid].filter(
    (pid) => pid !== undefined,
  );
  writeFileSync(join(dir, STATE_FILE), JSON.stringify({ pids, server, kubeconfigPath }));
  const extra = garbageCollector ? ' with a garbage collector' : '';
  log(`kube-apiserver ${server} ready${extra} (state in ${dir})`);

  return {
    dir,
    server,
    kubeconfigPath,
    kubeConfig: () => loadKubeConfig(kubeconfigPath),
    async restartApiServer(signal = 'SIGKILL') {
      await terminate(apiserver, signal);
      apiserver = startApiserver();
      await waitReady(server, token, caFile, [etcd, apiserver], join(dir, 'kube-apiserver.log'));
    },
    async stop() {
      await stopAll();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Stops a detached control plane started with `dir` (`cryptoviz control-plane down`). */
export async function stopDetachedControlPlane(dir: string): Promise<boolean> {
  const stateFile = join(dir, STATE_FILE);
  if (!existsSync(stateFile)) return false;
  const { pids } = JSON.parse(readFileSync(stateFile, 'utf8')) as { pids: number[] };
  for (const pid of pids) {
    if (!isAlive(pid)) continue;
    process.kill(pid, 'SIGTERM');
    for (let waited = 0; isAlive(pid) && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(stateFile);
  return true;
}

export function readDetachedControlPlane(
  dir: string,
): { server: string; kubeconfigPath: string; running: boolean } | undefined {
  const stateFile = join(dir, STATE_FILE);
  if (!existsSync(stateFile)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
    pids: number[];
    server: string;
    kubeconfigPath: string;
  };
  return { ...state, running: state.pids.every(isAlive) };
}

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export function writeServiceAccountKeys(dir: string): void {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeFileSync(join(dir, 'certs', 'sa.pub'), publicKey);
  writeFileSync(join(dir, 'certs', 'sa.key'), privateKey);
}

export function etcdArgs(dir: string, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=default',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    // Test data: losing it on a power cut is fine, and fsync dominates small writes.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

/** Where the API server runs: on loopback (no node), or for Pods on a real node's address. */
export interface ApiserverPlacement {
  /** The address the `kubernetes` Service points Pods at; serves on every address. */
  nodeAddress: string;
  serviceCidr: string;
}

export function apiserverArgs(dir: string, ports: Ports, node?: ApiserverPlacement): string[] {
  const certs = join(dir, 'certs');
  const placement = node
    ? [
        '--bind-address=0.0.0.0',
        `--advertise-address=${node.nodeAddress}`,
        '--authorization-mode=Node,RBAC',
        `--service-cluster-ip-range=${node.serviceCidr}`,
      ]
    : [
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        '--authorization-mode=RBAC',
        '--service-cluster-ip-range=10.0.0.0/24',
        // Nothing here creates pods or service accounts; admission needing them would only refuse.
        '--disable-admission-plugins=ServiceAccount',
      ];
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    `--cert-dir=${certs}`,
    `--secure-port=${ports.apiserver}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${join(certs, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(certs, 'sa.key')}`,
    '--allow-privileged=true',
    ...placement,
    '--v=1',
  ];
}

export async function waitReady(
  server: string,
  token: string,
  caFile: string,
  processes: Launched[],
  logFile: string,
  servername?: string,
): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const dead = processes.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    if (dead) {
      throw new Error(
        `${dead.name} exited during start (code ${dead.child.exitCode}); see ${logFile}`,
      );
    }
    if (existsSync(caFile) && (await readyz(server, token, caFile, servername))) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`kube-apiserver was not ready within 120 s; see ${logFile}`);
}

function readyz(
  server: string,
  token: string,
  caFile: string,
  servername?: string,
): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      `${server}/readyz`,
      {
        headers: { authorization: `Bearer ${token}` },
        ca: readFileSync(caFile),
        timeout: 2_000,
        ...(servername ? { servername } : {}),
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.once('error', () => resolve(false));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}
