import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const VITEST = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));
const CONFIG = fileURLToPath(new URL('../vitest.config.ts', import.meta.url));

/**
 * Runs the component suite as a child and collects its output. Asynchronously: a spawnSync
 * blocks this worker's event loop for the whole run, and on a busy machine (over a minute)
 * vitest's own worker RPC then times out and the run reports an error beside passing tests.
 */
function runComponentSuite(): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VITEST, 'run', '--config', CONFIG], {
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    // 'close', not 'exit': the output is complete only once the pipes are.
    child.on('close', (status) => resolve({ status, output }));
  });
}

describe('dashboard components', () => {
  // Svelte components need the Svelte compiler and a DOM: they run under the web package's
  // own vitest config (happy-dom), started from here so the root suite includes them.
  it('pass their tests (apps/web/component-tests, happy-dom)', async () => {
    const run = await runComponentSuite();
    // eslint-disable-next-line no-control-regex
    const output = run.output.replace(/\u001b\[[0-9;]*m/g, '');
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/Tests\s+\d+ passed/);
  }, 180_000);
});
