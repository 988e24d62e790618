import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a real node needs from the machine, by the file that shows it is there. */
const PACKAGES: Record<string, string> = {
  containerd: '/usr/bin/containerd',
  runc: '/usr/sbin/runc',
  'containernetworking-plugins': '/usr/lib/cni/bridge',
  iptables: '/usr/sbin/iptables',
  conntrack: '/usr/sbin/conntrack',
};
export const CNI_BIN_DIR = '/usr/lib/cni';

/** Why this machine cannot run a node at all, or undefined when it can. */
export function nodeUnsupportedReason(): string | undefined {
  if (process.platform !== 'linux') return 'a Kubernetes node needs Linux';
  if (process.getuid?.() !== 0)
    return 'a Kubernetes node needs root (network namespaces, cgroups, mounts)';
  if (!existsSync('/sys/fs/cgroup')) return 'no cgroup filesystem at /sys/fs/cgroup';
  return undefined;
}

/**
 * Installs Debian's containerd, runc, CNI plugins, iptables and conntrack when one is missing
 * (the node runs on the distribution's own runtime, as a user's would). Fails saying what to
 * install when apt-get cannot.
 */
export async function ensureNodePackages(log: (line: string) => void): Promise<void> {
  const missing = Object.entries(PACKAGES)
    .filter(([, file]) => !existsSync(file))
    .map(([name]) => name);
  if (missing.length === 0) return;
  log(`installing ${missing.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-qq'], { env });
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  } catch (err) {
    throw new Error(
      `the node needs ${missing.join(', ')} and 'apt-get install' failed ` +
        `(${(err as { stderr?: string }).stderr?.trim() || String(err)}); install them as root and rerun`,
    );
  }
}

/**
 * kubelet rewrites these machine-wide settings at start (it "protects kernel defaults" the
 * other way round: it sets them). They are not per network namespace, so they are put back.
 */
const KUBELET_SYSCTLS = [
  'vm.overcommit_memory',
  'vm.panic_on_oom',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
];

const sysctlFile = (key: string) => `/proc/sys/${key.replaceAll('.', '/')}`;

export function saveSysctls(): Record<string, string> {
  return Object.fromEntries(
    KUBELET_SYSCTLS.filter((key) => existsSync(sysctlFile(key))).map((key) => [
      key,
      readFileSync(sysctlFile(key), 'utf8').trim(),
    ]),
  );
}

export function restoreSysctls(saved: Record<string, string>): void {
  for (const [key, value] of Object.entries(saved)) {
    try {
      if (readFileSync(sysctlFile(key), 'utf8').trim() !== value)
        writeFileSync(sysctlFile(key), value);
    } catch {
      // A setting this kernel refuses to take back is reported by the leftovers check.
    }
  }
}
