import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launch, type Launched } from '../processes.ts';
import { CNI_BIN_DIR } from './host.ts';
import type { NodeNetwork } from './network.ts';

const run = promisify(execFile);

/** The Pod network: one bridge inside the node's namespace, addresses from this range. */
export const POD_CIDR = '10.88.0.0/24';
const CNI_BRIDGE = 'cvcni0';

export interface Containerd {
  socket: string;
  process: Launched;
  /** `ctr` against this containerd, in the namespace kubelet's CRI uses. */
  ctr(...args: string[]): Promise<string>;
  importImage(file: string): Promise<void>;
}

/**
 * containerd with every path in `dir`, started inside the node's network namespace so the CNI
 * bridge and every Pod's interface are created there. `restrict_oom_score_adj`: without
 * CAP_SYS_RESOURCE (a VM sandbox), runc cannot give the pause container the negative score the
 * CRI asks for, and every sandbox fails.
 */
export async function startContainerd(
  network: NodeNetwork,
  dir: string,
  sandboxImage: string,
): Promise<Containerd> {
  const socket = join(dir, 'containerd.sock');
  const cniConf = join(dir, 'cni');
  mkdirSync(cniConf, { recursive: true });
  writeFileSync(
    join(cniConf, '10-cryptoviz.conflist'),
    JSON.stringify({
      cniVersion: '0.4.0',
      name: 'cryptoviz-node',
      plugins: [
        {
          type: 'bridge',
          bridge: CNI_BRIDGE,
          isGateway: true,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: POD_CIDR }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: join(dir, 'cni-ipam'),
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    }),
  );
  const config = join(dir, 'containerd.toml');
  writeFileSync(
    config,
    `version = 2
root = "${join(dir, 'containerd/root')}"
state = "${join(dir, 'containerd/state')}"
[grpc]
  address = "${socket}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${sandboxImage}"
  enable_cdi = false
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CNI_BIN_DIR}"
    conf_dir = "${cniConf}"
`,
  );
  const [command, args] = network.exec('containerd', ['--config', config]);
  const process = launch('containerd', command, args, join(dir, 'containerd.log'), false);
  const ctr = async (...ctrArgs: string[]) =>
    (await run('ctr', ['-a', socket, '-n', 'k8s.io', ...ctrArgs], { maxBuffer: 1 << 24 })).stdout;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (process.child.exitCode !== null) {
      throw new Error(`containerd exited at start; see ${join(dir, 'containerd.log')}`);
    }
    try {
      await ctr('version');
      break;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`containerd did not answer within 30 s: ${String(err)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    socket,
    process,
    ctr,
    async importImage(file) {
      try {
        await ctr('images', 'import', file);
      } catch (err) {
        throw new Error(
          `ctr images import ${file} failed: ${(err as { stderr?: string }).stderr ?? String(err)}`,
        );
      }
    },
  };
}

/** Tasks and containers of this containerd, killed and removed: what kubelet did not stop. */
export async function removeAllContainers(containerd: Containerd): Promise<void> {
  const ids = async (kind: string) =>
    (await containerd.ctr(kind, 'ls', '-q').catch(() => '')).split('\n').filter(Boolean);
  for (const id of await ids('task')) {
    await containerd.ctr('task', 'kill', '-s', 'SIGKILL', id).catch(() => undefined);
  }
  for (const id of await ids('task')) {
    await containerd.ctr('task', 'rm', '-f', id).catch(() => undefined);
  }
  for (const id of await ids('container')) {
    await containerd.ctr('container', 'rm', id).catch(() => undefined);
  }
}
