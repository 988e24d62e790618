import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildOnce } from '@cryptoviz/devenv/build-once';

const WEB_DIR = fileURLToPath(new URL('../..', import.meta.url));
const REPO_DIR = join(WEB_DIR, '../..');
const VITE = join(REPO_DIR, 'node_modules/vite/bin/vite.js');

/** Where `vite build` (svelte.config.js) puts the adapter-node output by default. */
export const DEFAULT_BUILD_DIR = join(WEB_DIR, 'node_modules/.cryptoviz-web/build');

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

/** SvelteKit's work folder for a build into `outDir`: inside the app, as its imports need. */
function kitDirFor(outDir: string): string {
  const id = createHash('sha256').update(outDir).digest('hex').slice(0, 12);
  return join(WEB_DIR, 'node_modules/.cryptoviz-web', `kit-${id}`);
}

/** Builds the dashboard into `outDir` (a folder that does not exist yet) with `vite build`. */
export async function buildDashboard(outDir: string): Promise<void> {
  const kitDir = kitDirFor(outDir);
  // Asynchronous, so the workers already running keep their heartbeats meanwhile.
  await promisify(execFile)(process.execPath, [VITE, 'build', '--logLevel', 'error'], {
    cwd: WEB_DIR,
    // SvelteKit's intermediate files go to a folder of this build's own, so that a
    // `svelte-kit sync` (npm run check) at the same time does not pull them away.
    env: { ...process.env, WEB_BUILD_DIR: outDir, WEB_KIT_DIR: kitDir },
    maxBuffer: 16 * 1024 * 1024,
  })
    .catch((err: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(
        `the dashboard build failed (npm run build -w @cryptoviz/web):\n${err.stdout ?? ''}${err.stderr ?? err.message}`,
      );
    })
    .finally(() => rmSync(kitDir, { recursive: true, force: true }));
}

/**
 * Builds the dashboard into `outDir` unless a build of the current sources is already there
 * (see buildOnce: one build at a time across processes, swapped in atomically).
 */
export async function ensureDashboardBuild(
  say: (line: string) => void,
  outDir: string = DEFAULT_BUILD_DIR,
): Promise<void> {
  await buildOnce({
    root: REPO_DIR,
    sources: SOURCES,
    outDir,
    marker: 'handler.js',
    announce:
      '• building the dashboard (once per change to its sources; minutes on a busy machine)…',
    say,
    build: buildDashboard,
  });
}
