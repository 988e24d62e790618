// The static checks run as tests, so that one command runs everything and its summary counts
// a type error or a lint finding like any other failure.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** What each script of `npm run check` makes sure of, for the test's name. */
const WHAT: Record<string, string> = {
  typecheck: 'TypeScript (strict) finds no error',
  lint: 'ESLint (strictTypeChecked) finds nothing',
  'format:check': 'every file is formatted by Prettier',
  'check:deps': 'no import breaks the workspace dependency rules',
  'check:unused': 'knip finds no unused file, export or dependency, and no unlisted one',
  'check:web': 'svelte-check finds no error or warning in the dashboard',
};

/** The scripts `npm run check` runs, read from package.json: the tests run exactly those. */
function checkScripts(): string[] {
  const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
    scripts: Record<string, string>;
  };
  return [...(manifest.scripts.check ?? '').matchAll(/npm run (\S+)/g)].map((m) => m[1]!);
}

describe('static checks (npm run check)', () => {
  for (const script of checkScripts()) {
    it(`${WHAT[script] ?? script} (npm run ${script})`, async () => {
      const { code, output } = await run(script);
      // On failure the tool's own report is the message.
      expect(code, output).toBe(0);
    }, 600_000);
  }
});
