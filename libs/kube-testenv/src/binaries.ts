import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ControlPlaneBinaries {
  kubeApiserver: string;
  etcd: string;
  /** Only when asked for: most callers need no garbage collector, nor to wait for its build. */
  kubeControllerManager?: string;
}

/** Everything a single-node cluster runs outside its Pods. */
export interface NodeBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubelet: string;
  kubeProxy: string;
}

export interface ControlPlaneBinaryOptions {
  /** Also kube-controller-manager (built the first time it is asked for). */
  controllerManager?: boolean;
}

const k8sDev = join(import.meta.dirname, '../../../k8s-dev');
const controlPlaneScript = join(k8sDev, 'build-control-plane.sh');
const helmScript = join(k8sDev, 'build-helm.sh');
const coreDnsScript = join(k8sDev, 'build-coredns.sh');
const pauseScript = join(k8sDev, 'build-pause.sh');

/**
 * The folder with the binaries: KUBEBUILDER_ASSETS when it has all those asked for, else the
 * per-version cache, building the missing ones from the Go module proxy the first time (many
 * minutes on two cores; cached afterwards). Safe to call from several processes at once: the
 * build script serialises on a lock file.
 */
export async function ensureControlPlaneBinaries(
  log: (line: string) => void = () => undefined,
  { controllerManager = false }: ControlPlaneBinaryOptions = {},
): Promise<ControlPlaneBinaries> {
  const wanted = ['etcd', 'kube-apiserver'];
  if (controllerManager) wanted.push('kube-controller-manager');
  const dir = await runBuildScript(controlPlaneScript, wanted, log);
  const binaries: ControlPlaneBinaries = {
    kubeApiserver: join(dir, 'kube-apiserver'),
    etcd: join(dir, 'etcd'),
  };
  if (controllerManager) binaries.kubeControllerManager = join(dir, 'kube-controller-manager');
  return binaries;
}

/**
 * The control plane and the node's binaries, from the same per-version cache as
 * ensureControlPlaneBinaries (KUBEBUILDER_ASSETS when it has all six). The first time, one
 * build of all those missing: kubelet, kube-scheduler and kube-proxy take 12-40 minutes cold on
 * two cores.
 */
export async function ensureNodeBinaries(
  log: (line: string) => void = () => undefined,
): Promise<NodeBinaries> {
  const dir = await runBuildScript(
    controlPlaneScript,
    [
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kubelet',
      'kube-proxy',
    ],
    log,
  );
  return {
    etcd: join(dir, 'etcd'),
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    kubeScheduler: join(dir, 'kube-scheduler'),
    kubelet: join(dir, 'kubelet'),
    kubeProxy: join(dir, 'kube-proxy'),
  };
}

/**
 * The cluster DNS server: COREDNS_BIN when set, else CoreDNS with only the plugins a test
 * cluster needs, built once from the Go module proxy (static, no forward plugin).
 */
export async function ensureCoreDns(
  log: (line: string) => void = () => undefined,
): Promise<string> {
  return runBuildScript(coreDnsScript, [], log);
}

/** The pod sandbox's pause program (k8s-dev/pause), built statically once per source change. */
export async function ensurePause(log: (line: string) => void = () => undefined): Promise<string> {
  return runBuildScript(pauseScript, [], log);
}

/**
 * The helm binary for the chart's checks: HELM_BIN when set, else built once from the Go module
 * proxy into the per-version cache (a few minutes on two cores; the script serialises builds).
 */
export async function ensureHelm(log: (line: string) => void = () => undefined): Promise<string> {
  return runBuildScript(helmScript, [], log);
}

/** Runs a build script; resolves to the path it prints on its last line. */
function runBuildScript(
  buildScript: string,
  args: string[],
  log: (line: string) => void,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [buildScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderrTail = (stderrTail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log(line);
    });
    child.once('error', reject);
    // 'close', not 'exit': only then has all the script printed been read (under load, 'exit'
    // came first and the path was read as empty).
    child.once('close', (code) => {
      const path = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && path) resolve(path);
      else reject(new Error(`${buildScript} failed (exit ${code}):\n${stderrTail || stdout}`));
    });
  });
}
