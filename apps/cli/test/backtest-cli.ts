import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, as a user would. */
export function cryptoviz(...args: string[]): Promise<Run> {
  return cryptovizWithEnv({}, ...args);
}

/** The same, with `env` set over this process's environment. */
export function cryptovizWithEnv(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['apps/cli/bin/cryptoviz.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function expectCleanFailure(run: Run, code: number, ...mentions: string[]): void {
  expect(run.code).toBe(code);
  for (const mention of mentions) expect(run.stderr).toContain(mention);
  // No stack trace: a frame reads "at fn (file:line:col)"; wrapped help text may start with "at".
  expect(run.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
  expect(run.stdout).toBe('');
}

/** A fresh temporary directory for a test's files. */
export function scratchDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'cryptoviz-backtest-'));
}

/**
 * Writes an hourly OHLCV CSV from (hour, open, close) rows, in the order given (so a test can
 * write them unsorted or twice); high/low span open and close. Returns its path.
 */
export async function ohlcvCsv(
  name: string,
  rows: readonly (readonly [hour: number, open: number, close: number])[],
): Promise<string> {
  const path = join(await scratchDir(), name);
  const lines = rows.map(([hour, open, close]) => {
    const time = new Date(Date.UTC(2024, 0, 1) + hour * 3_600_000).toISOString();
    return `${time},${open},${Math.max(open, close)},${Math.min(open, close)},${close},1`;
  });
  await writeFile(path, ['time,open,high,low,close,volume', ...lines].join('\n'));
  return path;
}
