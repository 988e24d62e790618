import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ControlPlaneBinaries {
  kubeApiserver: string;
  etcd: string;
  /** Only when asked for: most callers need no garbage collector, nor to wait for its build. */
  kubeControllerManager?: string;
}

export interface ControlPlaneBinaryOptions {
  /** Also kube-controller-manager (built the first time it is asked for). */
  controllerManager?: boolean;
}

const buildScript = join(import.meta.dirname, '../../../k8s-dev/build-control-plane.sh');

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
  const dir = await runBuildScript(wanted, log);
  const binaries: ControlPlaneBinaries = {
    kubeApiserver: join(dir, 'kube-apiserver'),
    etcd: join(dir, 'etcd'),
  };
  if (controllerManager) binaries.kubeControllerManager = join(dir, 'kube-controller-manager');
  return binaries;
}

/** Runs the build script for `binaries`; resolves to the folder it prints on its last line. */
function runBuildScript(binaries: string[], log: (line: string) => void): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [buildScript, ...binaries], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderrTail = (stderrTail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log(line);
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(stdout.trim().split('\n').at(-1)!)
        : reject(new Error(`${buildScript} failed (exit ${code}):\n${stderrTail}`)),
    );
  });
}
