import { execFile } from 'node:child_process';
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
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { lock } from 'proper-lockfile';

const WEB_DIR = fileURLToPath(new URL('../..', import.meta.url));
const REPO_DIR = join(WEB_DIR, '../..');
const VITE = join(REPO_DIR, 'node_modules/vite/bin/vite.js');

/** Where `vite build` (svelte.config.js) puts the adapter-node output by default. */
export const DEFAULT_BUILD_DIR = join(WEB_DIR, 'node_modules/.cryptoviz-web/build');

/** Written beside the build: the fingerprint of the sources it was built from. */
const STAMP_FILE = '.source-fingerprint';

/**
 * Everything the bundle is made from: the app, its configs, the libraries it bundles and the
 * installed packages' versions.
 */
const SOURCES = [
  'apps/web/src',
  'apps/web/package.json',
  'apps/web/svelte.config.js',
  'apps/web/vite.config.ts',
  'libs/resources/src',
  'libs/forecast/src',
  'package-lock.json',
];

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** A hash of the sources' contents: a checkout, a pull or an edit changes it, a touch does not. */
function sourceFingerprint(): string {
  const hash = createHash('sha256');
  for (const source of SOURCES) {
    for (const file of filesUnder(join(REPO_DIR, source))) {
      hash.update(relative(REPO_DIR, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

/** SvelteKit's work folder for a build into `outDir`: inside the app, as its imports need. */
function kitDirFor(outDir: string): string {
  const id = createHash('sha256').update(outDir).digest('hex').slice(0, 12);
  return join(WEB_DIR, 'node_modules/.cryptoviz-web', `kit-${id}`);
}

/** Whether `outDir` holds a build of exactly these sources. */
function isCurrent(outDir: string, fingerprint: string): boolean {
  const stamp = join(outDir, STAMP_FILE);
  return (
    existsSync(join(outDir, 'handler.js')) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === fingerprint
  );
}

/**
 * Builds the dashboard into `outDir` unless a build of the current sources is already there,
 * so a pull that changes the dashboard never leaves a stale one running. Safe to call from
 * several processes at once (a test run beside `cryptoviz up`): one builds, under a lock,
 * in a work folder of its own, and the others wait and find its build.
 */
export async function ensureDashboardBuild(
  say: (line: string) => void,
  outDir: string = DEFAULT_BUILD_DIR,
): Promise<void> {
  const fingerprint = sourceFingerprint();
  if (isCurrent(outDir, fingerprint)) return;
  mkdirSync(dirname(outDir), { recursive: true });
  const release = await lock(dirname(outDir), {
    lockfilePath: `${outDir}.lock`,
    realpath: false,
    // A build takes about 30 s; the lock is refreshed meanwhile, and taken over if its
    // holder died (stale after 30 s without a refresh).
    stale: 30_000,
    retries: { retries: 300, minTimeout: 500, maxTimeout: 1_000 },
  });
  try {
    if (isCurrent(outDir, fingerprint)) return;
    say('• building the dashboard (once per change to its sources, about 30 s)…');
    // Each build gets a folder of its own and `outDir` becomes a link to it: a server already
    // running keeps loading its chunks from its own folder, which stays.
    const staging = join(
      dirname(outDir),
      'builds',
      `${basename(outDir)}-${fingerprint.slice(0, 12)}`,
    );
    const kitDir = kitDirFor(outDir);
    rmSync(staging, { recursive: true, force: true });
    // Asynchronous, so the workers already running keep their heartbeats meanwhile.
    await promisify(execFile)(process.execPath, [VITE, 'build', '--logLevel', 'error'], {
      cwd: WEB_DIR,
      // SvelteKit's intermediate files go to a folder of this build's own, so that a
      // `svelte-kit sync` (npm run check) at the same time does not pull them away.
      env: { ...process.env, WEB_BUILD_DIR: staging, WEB_KIT_DIR: kitDir },
      maxBuffer: 16 * 1024 * 1024,
    })
      .catch((err: Error & { stdout?: string; stderr?: string }) => {
        throw new Error(
          `the dashboard build failed (npm run build -w @cryptoviz/web):\n${err.stdout ?? ''}${err.stderr ?? err.message}`,
        );
      })
      .finally(() => rmSync(kitDir, { recursive: true, force: true }));
    writeFileSync(join(staging, STAMP_FILE), fingerprint);
    pointAt(outDir, staging);
    removeOldBuilds(outDir, staging);
  } finally {
    await release();
  }
}

/**
 * Makes `link` point at `target` in one step (a new link renamed over the old), so a server
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

/** Keeps the current build and the one before it (a running server may still use it). */
function removeOldBuilds(outDir: string, current: string, keep = 2): void {
  const folder = dirname(current);
  const prefix = `${basename(outDir)}-`;
  const others = readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && join(folder, name) !== current)
    .map((name) => ({ path: join(folder, name), time: statSync(join(folder, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const old of others.slice(keep - 1)) rmSync(old.path, { recursive: true, force: true });
}
