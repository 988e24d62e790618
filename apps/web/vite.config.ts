import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    // `npm run dev -w @cryptoviz/web`: the API comes from a gateway running beside it.
    proxy: { '/trpc': process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080' },
  },
  build: { chunkSizeWarningLimit: 300 },
});
