import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// Generated code and the build live under node_modules/ so that linters, formatters and git
// (which all skip node_modules) never see them; WEB_BUILD_DIR moves the build elsewhere.
const GENERATED = 'node_modules/.cryptoviz-web';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: process.env.WEB_BUILD_DIR ?? `${GENERATED}/build` }),
    // WEB_KIT_DIR: a build's own work folder (see src/server/build.ts).
    outDir: process.env.WEB_KIT_DIR ?? `${GENERATED}/svelte-kit`,
  },
};
