import { fileURLToPath } from 'node:url';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';

const nodeStub = fileURLToPath(new URL('./src/lib/node-builtins-stub.ts', import.meta.url));

/**
 * The dashboard validates forms with @cryptoviz/resources, whose index also exports file
 * helpers for Node; their built-ins resolve to a stub in the browser bundle. Only there: the
 * server bundle runs on Node, and SvelteKit's own error reporting needs the real `node:path`
 * (with the stub, every error page, a 405 for a POST included, left its request unanswered).
 */
function nodeBuiltinsStubInBrowser(): Plugin {
  return {
    name: 'cryptoviz:node-builtins-stub-in-browser',
    enforce: 'pre',
    resolveId(id, _importer, options) {
      return !options.ssr && /^node:(fs|fs\/promises|path)$/.test(id) ? nodeStub : null;
    },
  };
}

export default defineConfig({
  plugins: [nodeBuiltinsStubInBrowser(), sveltekit()],
  server: {
    // `npm run dev -w @cryptoviz/web`: the API comes from a gateway running beside it.
    proxy: { '/trpc': process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080' },
  },
  build: { chunkSizeWarningLimit: 300 },
});
