import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // test/: the static checks (typecheck, lint, format, svelte-check), as tests.
    include: [
      'test/**/*.test.ts',
      'libs/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'charts/*/test/**/*.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration tests share two cores with NATS and PostgreSQL; two workers keep them honest.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
