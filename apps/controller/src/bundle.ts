/**
 * `npm run build -w @cryptoviz/controller`: the controller as one ESM file for production.
 * Under tsx, module hooks run in a loader thread holding every transformed module, which about
 * doubles the resident memory of a process that loads @kubernetes/client-node (≈ 235 MB vs
 * 137 MB idle); the bundle runs on plain node. npm packages stay external; our TypeScript
 * workspaces are compiled in.
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Under node_modules: ignored by git, eslint and prettier, and the externals resolve from it. */
export const CONTROLLER_BUNDLE = join(import.meta.dirname, '../node_modules/.cache/controller.mjs');

const EXTERNAL = [
  '@kubernetes/client-node',
  '@nats-io/*',
  'pino',
  'pino-pretty',
  'prom-client',
  'zod',
  'yaml',
  'tsx',
];

export async function bundleController(outfile = CONTROLLER_BUNDLE): Promise<string> {
  await build({
    entryPoints: [join(import.meta.dirname, 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    // Bundled CommonJS dependencies may call require(); give ESM one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${await bundleController()}\n`);
}
