import { fileURLToPath } from 'node:url';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const nodeStub = fileURLToPath(new URL('./src/lib/node-builtins-stub.ts', import.meta.url));

export default defineConfig({
  plugins: [sveltekit()],
  resolve: {
    // The dashboard validates forms with @cryptoviz/resources, whose index also exports
    // file helpers for Node; their built-ins resolve to a stub in the bundle.
    alias: [{ find: /^node:(fs|fs\/promises|path)$/, replacement: nodeStub }],
  },
  server: {
    // `npm run dev -w @cryptoviz/web`: the API comes from a gateway running beside it.
    proxy: { '/trpc': process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080' },
  },
  build: { chunkSizeWarningLimit: 300 },
});
