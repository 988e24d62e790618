import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The test node's own network: a namespace this run creates, where containerd, the control
 * plane, kubelet, kube-proxy and every Pod live. Its node address sits on a port-less bridge
 * inside it, which is also the default route: whatever is not DNATed to a Pod or answered
 * locally is dropped there, so nothing a test cluster sends ever leaves the namespace.
 */
export interface NodeNetwork {
  name: string;
  /** The namespace's bind mount, for `nsenter --net=`. */
  path: string;
  /** The node's address: API server advertise address, kubelet node IP. */
  address: string;
  /** The prefix that runs a command inside the namespace (network only; mounts stay shared). */
  exec(command: string, args: string[]): [string, string[]];
  destroy(): Promise<void>;
}

/** The node address and its bridge; inside the namespace, so no host address can clash. */
export const NODE_ADDRESS = '10.213.0.1';
const NODE_BRIDGE = 'node0';
/** Namespaces of this harness: a crashed run's are found and removed by name. */
export const NAMESPACE_PREFIX = 'cryptoviz-node-';

async function ip(...args: string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (err) {
    throw new Error(
      `ip ${args.join(' ')} failed: ${(err as { stderr?: string }).stderr ?? String(err)}`,
    );
  }
}

export async function createNodeNetwork(): Promise<NodeNetwork> {
  const name = `${NAMESPACE_PREFIX}${randomBytes(3).toString('hex')}`;
  await ip('netns', 'add', name);
  const path = `/run/netns/${name}`;
  const exec = (command: string, args: string[]): [string, string[]] => [
    'nsenter',
    [`--net=${path}`, '--', command, ...args],
  ];
  const inside = async (command: string, ...args: string[]) => {
    const [prefix, rest] = exec(command, args);
    await run(prefix, rest);
  };
  try {
    await ip('-n', name, 'link', 'set', 'lo', 'up');
    await ip('-n', name, 'link', 'add', NODE_BRIDGE, 'type', 'bridge');
    await ip('-n', name, 'addr', 'add', `${NODE_ADDRESS}/24`, 'dev', NODE_BRIDGE);
    await ip('-n', name, 'link', 'set', NODE_BRIDGE, 'up');
    await ip('-n', name, 'route', 'add', 'default', 'dev', NODE_BRIDGE);
    // Per namespace: Pods' traffic is routed by it, and Services' DNAT must see bridged frames.
    await inside('sysctl', '-qw', 'net.ipv4.ip_forward=1');
    if (existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) {
      await inside('sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1');
    }
  } catch (err) {
    await removeNamespace(name);
    throw err;
  }
  return {
    name,
    path,
    address: NODE_ADDRESS,
    exec,
    destroy: () => removeNamespace(name),
  };
}

/** Deleting the namespace takes its interfaces, routes and iptables rules with it. */
export async function removeNamespace(name: string): Promise<void> {
  await run('ip', ['netns', 'delete', name]).catch(() => undefined);
}

/** Namespaces this harness made, by name: what a crashed run may have left. */
export async function leftoverNamespaces(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']).catch(() => ({ stdout: '' }));
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter((name) => name.startsWith(NAMESPACE_PREFIX));
}
