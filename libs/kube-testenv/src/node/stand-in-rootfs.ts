import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  cachedArchivePath,
  removeOlderArchives,
  sharedLibraries,
  writeOciArchive,
  type ImageConfig,
} from '@cryptoviz/workloads';

/**
 * One entry of an image's root filesystem, by its path in the image: a host file (links
 * followed), a written file, a folder (a mount point, or /tmp) or a symbolic link.
 */
export type RootfsEntry =
  | { kind: 'host'; path: string; from: string }
  | { kind: 'text'; path: string; text: string; mode: number }
  | { kind: 'dir'; path: string; mode: number }
  | { kind: 'symlink'; path: string; target: string };

/** A built image: what Pods name it by, and the OCI archive `ctr images import` takes. */
export interface StandInImage {
  ref: string;
  file: string;
}

/** Bump when how entries become a rootfs changes, so archives built by older code are rebuilt. */
const LAYOUT_VERSION = '1';

/** The shared libraries `binaries` link, at their host paths. */
export function linkedLibraries(binaries: string[]): RootfsEntry[] {
  return sharedLibraries(...binaries).map((library) => ({
    kind: 'host',
    path: library,
    from: library,
  }));
}

/** `binary` at `path`, with the shared libraries it links at their host paths. */
export function hostBinary(binary: string, path = binary): RootfsEntry[] {
  return [{ kind: 'host', path, from: binary }, ...linkedLibraries([binary])];
}

/** Every file and link under the host folder `dir`, at the same paths; `keep` filters files. */
export function hostTree(dir: string, keep: (path: string) => boolean = () => true): RootfsEntry[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).flatMap(
    (entry): RootfsEntry[] => {
      const path = join(entry.parentPath, entry.name);
      if (entry.isSymbolicLink()) return [{ kind: 'symlink', path, target: readlinkSync(path) }];
      return entry.isFile() && keep(path) ? [{ kind: 'host', path, from: path }] : [];
    },
  );
}

/** /etc/passwd and /etc/group naming root and the image's one user. */
export function imageUser(name: string, id: number, home = '/'): RootfsEntry[] {
  return [
    {
      kind: 'text',
      path: '/etc/passwd',
      text: `root:x:0:0:root:/root:/sbin/nologin\n${name}:x:${id}:${id}:${name}:${home}:/sbin/nologin\n`,
      mode: 0o644,
    },
    { kind: 'text', path: '/etc/group', text: `root:x:0:\n${name}:x:${id}:\n`, mode: 0o644 },
  ];
}

/** Whether an ELF executable names a program interpreter, i.e. needs a dynamic linker. */
function isDynamicallyLinked(binary: string): boolean {
  const fd = openSync(binary, 'r');
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) {
      throw new Error(`${binary} is not a 64-bit ELF executable`);
    }
    const tableOffset = Number(header.readBigUInt64LE(32));
    const entrySize = header.readUInt16LE(54);
    const entries = header.readUInt16LE(56);
    const table = Buffer.alloc(entrySize * entries);
    readSync(fd, table, 0, table.length, tableOffset);
    const PT_INTERP = 3;
    for (let i = 0; i < entries; i++) {
      if (table.readUInt32LE(i * entrySize) === PT_INTERP) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** An image holding `binary` alone has no dynamic linker: the binary must be static. */
export function assertStaticBinary(binary: string, what: string): void {
  if (!existsSync(binary)) throw new Error(`${what}: no file at ${binary}`);
  if (isDynamicallyLinked(binary)) {
    throw new Error(`${what}: ${binary} is dynamically linked; build it static (CGO_ENABLED=0)`);
  }
}

function entryFingerprint(entry: RootfsEntry): string | Buffer {
  switch (entry.kind) {
    case 'host':
      return readFileSync(entry.from);
    case 'text':
      return `${entry.mode.toString(8)}\0${entry.text}`;
    case 'dir':
      return entry.mode.toString(8);
    case 'symlink':
      return entry.target;
  }
}

function writeEntry(rootfs: string, entry: RootfsEntry): void {
  const target = join(rootfs, entry.path);
  mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
  switch (entry.kind) {
    case 'host':
      cpSync(entry.from, target, { dereference: true });
      break;
    case 'text':
      writeFileSync(target, entry.text);
      chmodSync(target, entry.mode);
      break;
    case 'dir':
      mkdirSync(target, { recursive: true });
      // Explicitly: mkdir's mode goes through the umask, and /tmp needs its sticky bit.
      chmodSync(target, entry.mode);
      break;
    case 'symlink':
      symlinkSync(entry.target, target);
      break;
  }
}

/**
 * The image `ref` holding `entries`, as an OCI archive cached under `~/.cache/cryptoviz/images`
 * by the fingerprint of everything that goes in (contents, modes, config, ref): built once per
 * change, so a test run after the first only pays for hashing its inputs.
 */
export async function buildStandInImage(
  name: string,
  ref: string,
  config: ImageConfig,
  entries: RootfsEntry[],
): Promise<StandInImage> {
  // A path listed twice (a library two binaries link) goes in once.
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));
  const sorted = [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
  const hash = createHash('sha256').update(
    [LAYOUT_VERSION, ref, JSON.stringify(config)].join('\0'),
  );
  for (const entry of sorted) {
    hash.update(`\0${entry.kind}\0${entry.path}\0`).update(entryFingerprint(entry));
  }
  const file = cachedArchivePath(name, hash.digest('hex').slice(0, 16));
  if (existsSync(file)) return { ref, file };
  const rootfs = mkdtempSync(join(tmpdir(), `cryptoviz-${name}-rootfs-`));
  try {
    // The layer's root entry becomes the container's `/`: mkdtemp's 0700 would lock users out.
    chmodSync(rootfs, 0o755);
    for (const entry of sorted) {
      if (!entry.path.startsWith('/') || entry.path.split('/').includes('..')) {
        throw new Error(`image path ${entry.path} must be absolute, without ..`);
      }
      writeEntry(rootfs, entry);
    }
    await writeOciArchive(rootfs, ref, config, file);
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
  removeOlderArchives(name, file);
  return { ref, file };
}
