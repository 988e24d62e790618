// The static checks run as tests, so that one command runs everything and its summary counts
// a type error or a lint finding like any other failure.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function run(script: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', script], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('static checks', () => {
  for (const [script, what] of [
    ['typecheck', 'TypeScript (strict) finds no error'],
    ['lint', 'ESLint finds nothing'],
    ['format:check', 'every file is formatted by Prettier'],
    ['check:web', 'svelte-check finds no error or warning in the dashboard'],
  ] as const) {
    it(`${what} (npm run ${script})`, async () => {
      const { code, output } = await run(script);
      // On failure the tool's own report is the message.
      expect(code, output).toBe(0);
    }, 600_000);
  }
});
