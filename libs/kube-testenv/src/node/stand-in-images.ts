import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { IMAGE_UID } from '@cryptoviz/workloads';
import {
  assertStaticBinary,
  buildStandInImage,
  hostBinary,
  imageUser,
  type StandInImage,
} from './stand-in-rootfs.ts';

export { postgresImage, standInPostgresUnavailable } from './postgres-image.ts';
export type { StandInImage } from './stand-in-rootfs.ts';

/**
 * Images the real-node test cluster runs besides the platform's own: built here from this
 * machine's files, since the node has no registry to pull from. Each is a one-layer OCI archive
 * named `cryptoviz.local/…`, for `ctr -n k8s.io images import`.
 */
const REGISTRY = 'cryptoviz.local';
const PATH_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin' };

/** The pod sandbox image: a static pause binary alone, as the upstream image (uid 65535). */
export function pauseImage(binary: string): Promise<StandInImage> {
  assertStaticBinary(binary, 'pause');
  return buildStandInImage(
    'pause',
    `${REGISTRY}/pause:1`,
    { entrypoint: ['/pause'], env: PATH_ENV, user: '65535:65535', workingDir: '/' },
    [{ kind: 'host', path: '/pause', from: binary }],
  );
}

/** The version a CoreDNS binary reports (`CoreDNS-1.14.7` → `1.14.7`). */
function coreDnsVersion(binary: string): string {
  const output = execFileSync(binary, ['-version'], { encoding: 'utf8' });
  const version = /CoreDNS-(\S+)/.exec(output)?.[1];
  if (!version) throw new Error(`coredns: ${binary} -version did not name a version`);
  return version;
}

/**
 * Cluster DNS: a static CoreDNS reading the Corefile a ConfigMap mounts at /etc/coredns, as
 * the upstream image's nonroot user (65532). Like upstream, the binary carries no file
 * capability, so a Pod listening on port 53 needs NET_BIND_SERVICE or a port above 1023.
 */
export function coreDnsImage(binary: string): Promise<StandInImage> {
  assertStaticBinary(binary, 'coredns');
  return buildStandInImage(
    'coredns',
    `${REGISTRY}/coredns:${coreDnsVersion(binary)}`,
    {
      entrypoint: ['/coredns', '-conf', '/etc/coredns/Corefile'],
      env: PATH_ENV,
      user: '65532:65532',
      workingDir: '/',
    },
    [
      { kind: 'host', path: '/coredns', from: binary },
      { kind: 'dir', path: '/etc/coredns', mode: 0o755 },
    ],
  );
}

/** This machine's nats-server: Debian's, else the one on PATH. */
export function findNatsServer(): string {
  if (existsSync('/usr/sbin/nats-server')) return '/usr/sbin/nats-server';
  try {
    return execFileSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'no nats-server on this machine for the stand-in NATS image (apt-get install nats-server)',
    );
  }
}

/**
 * NATS with JetStream, for charts/cryptoviz/templates/nats.yaml: the entrypoint is nats-server
 * itself (the chart passes its flags as args), run as the chart's pod user; it writes only to
 * its store (`--store_dir`, a volume), so the root filesystem may be read-only.
 */
export function natsImage(binary: string = findNatsServer()): Promise<StandInImage> {
  const server = realpathSync(binary);
  const version = /v(\d+\.\d+\.\d+)/.exec(
    execFileSync(server, ['--version'], { encoding: 'utf8' }),
  )?.[1];
  if (!version) throw new Error(`nats: ${server} --version did not name a version`);
  return buildStandInImage(
    'nats',
    `${REGISTRY}/nats:${version}`,
    {
      entrypoint: ['/usr/local/bin/nats-server'],
      env: PATH_ENV,
      user: `${IMAGE_UID}:${IMAGE_UID}`,
      workingDir: '/',
    },
    [
      ...hostBinary(server, '/usr/local/bin/nats-server'),
      ...imageUser('nats', IMAGE_UID),
      { kind: 'dir', path: '/tmp', mode: 0o1777 },
      { kind: 'dir', path: '/data', mode: 0o755 },
    ],
  );
}
