import { execFile } from 'node:child_process';
import {
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from '../processes.ts';
import { restoreSysctls } from './host.ts';
import { removeNamespace } from './network.ts';

const run = promisify(execFile);

/** What a node run leaves on the machine, recorded when it starts so a crashed run's is found. */
export interface NodeFootprint {
  /** The test process that owns the node. */
  owner: number;
  dir: string;
  namespace: string;
  startedAt: number;
  sysctls: Record<string, string>;
}

/** Where footprints are kept: /run is emptied at boot, as is what they describe. */
export const FOOTPRINT_DIR = '/run/cryptoviz-node';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Processes whose command line names `dir`: every node process and containerd's shims. */
function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) pids.push(pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** kubelet's Pod cgroups (cgroupfs driver), deepest first. */
function podCgroups(): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(path, entry.name));
    }
    found.push(path);
  };
  for (const controller of existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : []) {
    const root = join('/sys/fs/cgroup', controller, 'kubepods');
    if (existsSync(root)) walk(root);
  }
  return found;
}

async function killAll(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  for (let waited = 0; waited < 10_000 && pids.some(isAlive); waited += 200) await sleep(200);
  for (const pid of pids.filter(isAlive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/**
 * Puts the machine back as it was before the node started, from its footprint alone, so it
 * works after a crash as well as after a test: every process using the node's folder, every
 * container (by its cgroup), mounts, Pod network namespaces, the node's namespace (with its
 * interfaces and iptables rules), cgroups, kubelet's sysctls and log links, then the folder.
 * Returns what it could not remove, for the caller to report.
 */
export async function removeNodeFootprint(footprint: NodeFootprint): Promise<string[]> {
  const problems: string[] = [];
  // Control plane and kubelet first, so nothing restarts what is killed next.
  await killAll(processesUsing(footprint.dir));
  // Containers outlive their shims in their own PID namespaces: their cgroups name them all.
  for (let round = 0; round < 3; round++) {
    const pids = podCgroups().flatMap((cgroup) => {
      try {
        return readFileSync(join(cgroup, 'cgroup.procs'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map(Number);
      } catch {
        return [];
      }
    });
    if (pids.length === 0) break;
    for (const pid of new Set(pids)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await sleep(500);
  }
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .map((path) => path.replace(/\\040/g, ' '))
    .filter(
      (path) =>
        path.startsWith(`${footprint.dir}/`) ||
        (path.startsWith('/run/netns/cni-') && statSafe(path) >= footprint.startedAt - 1_000),
    )
    .sort()
    .reverse();
  for (const path of mounts) {
    await run('umount', ['-l', path]).catch((err) => problems.push(`umount ${path}: ${err}`));
  }
  if (existsSync('/run/netns')) {
    for (const name of readdirSync('/run/netns')) {
      const path = join('/run/netns', name);
      if (name.startsWith('cni-') && statSafe(path) >= footprint.startedAt - 1_000) {
        rmSync(path, { force: true });
      }
    }
  }
  await removeNamespace(footprint.namespace);
  for (const cgroup of podCgroups()) {
    try {
      rmdirSync(cgroup);
    } catch (err) {
      problems.push(`cgroup ${cgroup}: ${(err as Error).message}`);
    }
  }
  restoreSysctls(footprint.sysctls);
  if (existsSync('/var/log/containers')) {
    for (const name of readdirSync('/var/log/containers')) {
      const link = join('/var/log/containers', name);
      try {
        if (readlinkSync(link).startsWith(footprint.dir)) rmSync(link);
      } catch {
        // Not a link.
      }
    }
  }
  removeRuntimeLeftovers(footprint.dir);
  rmSync(footprint.dir, { recursive: true, force: true });
  rmSync(join(FOOTPRINT_DIR, `${footprint.namespace}.json`), { force: true });
  return problems;
}

/**
 * containerd 1.6 keeps shim sockets and runc's state under /run/containerd whatever its own
 * state folder: emptied when their containers go, the folders themselves stay. Removed when
 * empty, so a containerd of the machine's own (whose would not be empty) is never touched.
 * Entries are ours only when they name our folder.
 */
function removeRuntimeLeftovers(dir: string): void {
  // runc's record of each container it ran from our containerd (its rootfs is in our folder):
  // left behind when a crashed run's containers were killed by cgroup rather than by runc.
  const runcRoot = '/run/containerd/runc/k8s.io';
  for (const id of existsSync(runcRoot) ? readdirSync(runcRoot) : []) {
    try {
      const state = JSON.parse(readFileSync(join(runcRoot, id, 'state.json'), 'utf8')) as {
        config?: { rootfs?: string };
      };
      if (state.config?.rootfs?.startsWith(`${dir}/`)) {
        rmSync(join(runcRoot, id), { recursive: true, force: true });
      }
    } catch {
      // Not a container's record.
    }
  }
  const removeIfEmpty = (path: string) => {
    if (!existsSync(path)) return;
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) removeIfEmpty(join(path, entry.name));
    }
    if (readdirSync(path).length === 0) rmdirSync(path);
  };
  removeIfEmpty('/run/containerd');
}

function statSafe(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Every recorded node run, live or not. */
export function footprints(): NodeFootprint[] {
  if (!existsSync(FOOTPRINT_DIR)) return [];
  return readdirSync(FOOTPRINT_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(FOOTPRINT_DIR, name), 'utf8')) as NodeFootprint);
}

/** Footprints of node runs whose test process is gone: a crash or a kill -9 mid-test. */
export function orphanedFootprints(): NodeFootprint[] {
  return footprints().filter((footprint) => !isAlive(footprint.owner));
}

/** A node run of another live process, if any: kubelet's cgroups allow one per machine. */
export function liveFootprint(): NodeFootprint | undefined {
  return footprints().find(
    (footprint) => footprint.owner !== process.pid && isAlive(footprint.owner),
  );
}
