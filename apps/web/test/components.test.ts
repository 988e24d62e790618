import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const VITEST = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));
const CONFIG = fileURLToPath(new URL('../vitest.config.ts', import.meta.url));

describe('dashboard components', () => {
  // Svelte components need the Svelte compiler and a DOM: they run under the web package's
  // own vitest config (happy-dom), started from here so the root suite includes them.
  it('pass their tests (apps/web/component-tests, happy-dom)', () => {
    const run = spawnSync(process.execPath, [VITEST, 'run', '--config', CONFIG], {
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    // eslint-disable-next-line no-control-regex
    const output = `${run.stdout}\n${run.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/Tests\s+\d+ passed/);
  }, 120_000);
});
