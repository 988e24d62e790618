import { existsSync, lstatSync, mkdtempSync, readdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureDashboardBuild } from '../src/server/build.ts';

describe('the dashboard build', () => {
  it('is made once when two processes ask at the same time, and then reused', async () => {
    const outDir = join(mkdtempSync(join(tmpdir(), 'cryptoviz-build-')), 'build');
    const said: string[] = [];
    const say = (line: string) => said.push(line);
    await Promise.all([ensureDashboardBuild(say, outDir), ensureDashboardBuild(say, outDir)]);
    expect(said).toHaveLength(1);
    const { handler } = (await import(pathToFileURL(join(outDir, 'handler.js')).href)) as {
      handler: unknown;
    };
    expect(typeof handler).toBe('function');
    // `build` links to a folder of this build's own; nothing half-made is left beside it.
    expect(readdirSync(join(outDir, '..')).sort()).toEqual(['build', 'builds']);
    expect(lstatSync(outDir).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(outDir, '..', 'builds'))).toEqual([basename(realpathSync(outDir))]);
    await ensureDashboardBuild(say, outDir);
    expect(said).toHaveLength(1);
    expect(existsSync(join(outDir, '.source-fingerprint'))).toBe(true);
  }, 240_000);
});
