import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs a stand-in image's OCI archive for real without containerd: the archive unpacked, its
 * layer as a read-only root, its entrypoint run by runc as the image's user with no
 * capabilities, in the host's network namespace (so tests reach it on loopback).
 */

interface Descriptor {
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface ImageConfigJson {
  User: string;
  Entrypoint: string[];
  Env: string[];
  WorkingDir: string;
}

export interface UnpackedImage {
  /** The name containerd will give it (`io.containerd.image.name`) and the layout's tag. */
  ref: string;
  refName: string;
  config: ImageConfigJson;
  /** The layer's entries as `tar -tv` lists them. */
  listing: string[];
  rootfs: string;
  remove(): void;
}

/** Unpacks an OCI archive, every blob checked against its descriptor's digest and size. */
export function unpackImage(file: string): UnpackedImage {
  const dir = mkdtempSync(join(tmpdir(), 'stand-in-image-'));
  try {
    const layout = join(dir, 'layout');
    mkdirSync(layout);
    execFileSync('tar', ['-xf', file, '-C', layout]);
    const blob = (descriptor: Descriptor) => {
      const path = join(layout, 'blobs/sha256', descriptor.digest.replace('sha256:', ''));
      const data = readFileSync(path);
      const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
      if (digest !== descriptor.digest || data.length !== descriptor.size) {
        throw new Error(`blob ${descriptor.digest} does not match its descriptor`);
      }
      return { path, data };
    };
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
      manifests: Descriptor[];
    };
    if (index.manifests.length !== 1) throw new Error('expected one manifest in index.json');
    const descriptor = index.manifests[0]!;
    const manifest = JSON.parse(blob(descriptor).data.toString()) as {
      config: Descriptor;
      layers: Descriptor[];
    };
    const config = JSON.parse(blob(manifest.config).data.toString()) as {
      config: ImageConfigJson;
    };
    if (manifest.layers.length !== 1) throw new Error('expected one layer');
    const layer = blob(manifest.layers[0]!).path;
    const rootfs = join(dir, 'rootfs');
    mkdirSync(rootfs);
    execFileSync('tar', ['-xpf', layer, '-C', rootfs, '--numeric-owner']);
    const listing = execFileSync('tar', ['-tvf', layer], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    }).split('\n');
    rmSync(layout, { recursive: true, force: true });
    return {
      ref: descriptor.annotations?.['io.containerd.image.name'] ?? '',
      refName: descriptor.annotations?.['org.opencontainers.image.ref.name'] ?? '',
      config: config.config,
      listing,
      rootfs,
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export type ContainerMount =
  { destination: string; tmpfs: true } | { destination: string; source: string };

export interface ContainerOptions {
  args?: string[];
  env?: Record<string, string>;
  mounts?: ContainerMount[];
}

export interface Container {
  /** Everything the container wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) once the container ended. */
  exited: Promise<number | null>;
  /** The container's PID 1 as the host sees it. */
  pid(): number;
  /** Runs a program inside the running container, with the image's user and environment. */
  exec(args: string[]): SpawnSyncReturns<string>;
  signal(name: 'TERM' | 'INT' | 'KILL'): void;
  /** Ends the container if it still runs and removes everything runc kept of it. */
  remove(): Promise<void>;
}

function runcSpec(
  image: UnpackedImage,
  options: ContainerOptions,
  bundle: string,
  rootfs: string,
): unknown {
  execFileSync('runc', ['spec', '--bundle', bundle]);
  const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as {
    process: Record<string, unknown>;
    root: unknown;
    mounts: unknown[];
    linux: { namespaces: { type: string }[] };
  };
  const [uid, gid] = image.config.User.split(':').map(Number);
  spec.process = {
    ...spec.process,
    terminal: false,
    user: { uid, gid: gid ?? uid },
    args: [...image.config.Entrypoint, ...(options.args ?? [])],
    env: [
      ...image.config.Env,
      ...Object.entries(options.env ?? {}).map(([name, value]) => `${name}=${value}`),
    ],
    cwd: image.config.WorkingDir || '/',
    // As the chart's pods: no capabilities, nothing to escalate to.
    capabilities: { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] },
    noNewPrivileges: true,
  };
  spec.root = { path: rootfs, readonly: true };
  spec.mounts.push(
    ...(options.mounts ?? []).map((mount) =>
      'tmpfs' in mount
        ? {
            destination: mount.destination,
            type: 'tmpfs',
            source: 'tmpfs',
            options: ['nosuid', 'nodev', 'mode=1777'],
          }
        : {
            destination: mount.destination,
            type: 'bind',
            source: mount.source,
            options: ['rbind'],
          },
    ),
  );
  // The host's network: the test reaches the container's servers on loopback.
  spec.linux.namespaces = spec.linux.namespaces.filter(({ type }) => type !== 'network');
  return spec;
}

/** Starts the image's entrypoint in a runc container; `remove()` it in a `finally`. */
export function runContainer(image: UnpackedImage, options: ContainerOptions = {}): Container {
  const dir = mkdtempSync(join(tmpdir(), 'stand-in-runc-'));
  const state = join(dir, 'state');
  const bundle = join(dir, 'bundle');
  mkdirSync(bundle);
  const id = `cryptoviz-stand-in-${randomBytes(4).toString('hex')}`;
  const runc = (args: string[]) =>
    spawnSync('runc', ['--root', state, ...args], { encoding: 'utf8' });
  let output = '';
  let child;
  try {
    writeFileSync(
      join(bundle, 'config.json'),
      JSON.stringify(runcSpec(image, options, bundle, image.rootfs)),
    );
    child = spawn('runc', ['--root', state, 'run', '--bundle', bundle, id], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': only then has all the output been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    output: () => output,
    exited,
    pid() {
      const result = runc(['state', id]);
      if (result.status !== 0) throw new Error(`runc state: ${result.stderr}`);
      return (JSON.parse(result.stdout) as { pid: number }).pid;
    },
    exec: (args) => runc(['exec', id, ...args]),
    signal(name) {
      runc(['kill', id, name]);
    },
    async remove() {
      if (!ended) {
        runc(['kill', '--all', id, 'KILL']);
        await exited;
      }
      runc(['delete', '--force', id]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
