import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/**
 * Component tests: Svelte components compiled for the browser and mounted in happy-dom.
 * The root suite runs this config through apps/web/test/components.test.ts, so `vitest run`
 * at the root covers them without a second environment in the root config.
 */
export default defineConfig({
  plugins: [svelte({ compilerOptions: { dev: false } })],
  resolve: { conditions: ['browser'] },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['component-tests/**/*.component.ts'],
    environment: 'happy-dom',
    pool: 'threads',
    poolOptions: { threads: { maxThreads: 1, minThreads: 1 } },
  },
});
