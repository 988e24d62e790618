import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { lock } from 'proper-lockfile';

/** Written beside a build: the fingerprint of the sources it was built from. */
const STAMP_FILE = '.source-fingerprint';

export interface BuildOnceOptions {
  /** The folder `sources` are relative to (the repository). */
  root: string;
  /** Files and folders the build is made from; `node_modules` inside them is skipped. */
  sources: readonly string[];
  /** The path the current build is reached by: a link to a folder of that build's own. */
  outDir: string;
  /** A file every complete build has, relative to the build's folder. */
  marker: string;
  /** Said once, when a build starts (not when a current one is reused). */
  announce: string;
  /** Makes the build in `staging`, a folder of its own that does not exist yet. */
  build: (staging: string) => Promise<void>;
  say: (line: string) => void;
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name !== 'node_modules')
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** A hash of the sources' contents: a checkout, a pull or an edit changes it, a touch does not. */
export function sourceFingerprint(root: string, sources: readonly string[]): string {
  const hash = createHash('sha256');
  for (const source of sources) {
    for (const file of filesUnder(join(root, source))) {
      hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

/** Whether `outDir` holds a complete build of exactly these sources. */
function isCurrent(outDir: string, marker: string, fingerprint: string): boolean {
  const stamp = join(outDir, STAMP_FILE);
  return (
    existsSync(join(outDir, marker)) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === fingerprint
  );
}

/**
 * Builds into `outDir` unless a build of the current sources is already there, so a pull that
 * changes the sources never leaves a stale build running. Safe to call from several processes
 * at once (a test run beside `cryptoviz up`): one builds, under a lock, in a folder of its own,
 * and the others wait and find its build. Resolves to that build's own folder.
 */
export async function buildOnce(options: BuildOnceOptions): Promise<string> {
  const { outDir, marker } = options;
  const fingerprint = sourceFingerprint(options.root, options.sources);
  // Each build gets a folder of its own and `outDir` becomes a link to it: a process already
  // running keeps loading its modules from its own folder, which stays.
  const staging = join(
    dirname(outDir),
    'builds',
    `${basename(outDir)}-${fingerprint.slice(0, 12)}`,
  );
  if (isCurrent(outDir, marker, fingerprint)) return staging;
  mkdirSync(dirname(outDir), { recursive: true });
  const release = await lock(dirname(outDir), {
    lockfilePath: `${outDir}.lock`,
    realpath: false,
    // A build may take a while; the lock is refreshed meanwhile, and taken over if its holder
    // died (stale after 30 s without a refresh).
    stale: 30_000,
    retries: { retries: 300, minTimeout: 500, maxTimeout: 1_000 },
  });
  try {
    if (isCurrent(outDir, marker, fingerprint)) return staging;
    options.say(options.announce);
    rmSync(staging, { recursive: true, force: true });
    await options.build(staging);
    writeFileSync(join(staging, STAMP_FILE), fingerprint);
    pointAt(outDir, staging);
    removeOldBuilds(outDir, staging);
    return staging;
  } finally {
    await release();
  }
}

/**
 * Makes `link` point at `target` in one step (a new link renamed over the old), so a process
 * starting meanwhile finds the old build or the new, never none. A real folder left by an
 * older version of this code is replaced once.
 */
function pointAt(link: string, target: string): void {
  if (existsSync(link) && !lstatSync(link).isSymbolicLink()) {
    rmSync(link, { recursive: true, force: true });
  }
  const next = `${link}.next`;
  rmSync(next, { force: true });
  symlinkSync(relative(dirname(link), target), next);
  renameSync(next, link);
}

/** Keeps the current build and the one before it (a running process may still use it). */
function removeOldBuilds(outDir: string, current: string, keep = 2): void {
  const folder = dirname(current);
  const prefix = `${basename(outDir)}-`;
  const others = readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && join(folder, name) !== current)
    .map((name) => ({ path: join(folder, name), time: statSync(join(folder, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const old of others.slice(keep - 1)) rmSync(old.path, { recursive: true, force: true });
}
