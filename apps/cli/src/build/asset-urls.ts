import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Plugin } from 'esbuild';

const ASSET_URL = /new URL\((['"])([^'"]+)\1,\s*import\.meta\.url\)/g;

/**
 * Files our modules reach by a URL relative to `import.meta.url` (the store's migrations and
 * SQL) are copied into the build's `assets/` and the URLs rewritten to them: a bundled module
 * no longer sits beside them. A URL to a folder holding the module itself (an app's own root)
 * is a place, not an asset, and stays as it is, as does one to nothing.
 */
export function assetUrls(root: string, outDir: string): Plugin {
  return {
    name: 'asset-urls',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const contents = source.replace(ASSET_URL, (whole, quote: string, url: string) => {
          const target = resolve(dirname(args.path), url);
          if (!existsSync(target) || !relative(target, args.path).startsWith('..')) return whole;
          const asset = join('assets', relative(root, target));
          cpSync(target, join(outDir, asset), { recursive: true });
          return `new URL(${quote}./${asset}${quote}, import.meta.url)`;
        });
        return { contents, loader: 'ts' };
      });
    },
  };
}
