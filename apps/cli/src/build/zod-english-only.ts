import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * zod re-exports every one of its ~50 message locales (`z.locales`), so a bundle carries
 * 360 KB of them, held in memory as source by every worker. Our messages are English (zod's
 * default, which it loads itself), so the bundle's `z.locales` keeps English only.
 */
export function zodEnglishOnly(root: string): Plugin {
  const locales = join(
    dirname(createRequire(join(root, 'package.json')).resolve('zod')),
    'v4/locales',
  );
  return {
    name: 'zod-english-only',
    setup(build) {
      build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
        args.resolveDir.startsWith(dirname(locales))
          ? { path: 'locales', namespace: 'zod-english-only' }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
        contents: `export { default as en } from ${JSON.stringify(join(locales, 'en.js'))};`,
        loader: 'js',
        resolveDir: locales,
      }));
    },
  };
}
