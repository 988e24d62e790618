import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readSchemaState, SCHEMA_VERSION } from '@cryptoviz/store';
import { createTestDatabase, storageFlavors, type TestDatabase } from '@cryptoviz/testkit';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** `cryptoviz migrate` in a child process, as the Helm chart's Job runs it. */
function migrateCommand(env: Record<string, string>) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['apps/cli/bin/cryptoviz.js', 'migrate'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe.each(storageFlavors())('cryptoviz migrate (the command) on %s', (flavor) => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('brings a new database to the current schema, exit 0, saying what it did', async () => {
    db = await createTestDatabase(flavor, { migrated: false });
    const run = await migrateCommand({
      DATABASE_URL: db.url,
      TICKS_RETENTION_DAYS: '30',
      TICKS_COMPRESS_AFTER_DAYS: '2',
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('database schema is current');
    expect(run.output).toContain(`schema version ${SCHEMA_VERSION} (${flavor})`);
    if (flavor === 'timescaledb') {
      expect(run.output).toMatch(
        /retention after 30 days of being written, compression after 2 days/,
      );
    }
    expect(await readSchemaState(db.pool)).toEqual({ version: SCHEMA_VERSION, flavor });
  });
});

describe('cryptoviz migrate refuses bad configuration with exit 2, naming the variable', () => {
  it.each([
    [{}, /DATABASE_URL/],
    [
      { DATABASE_URL: 'postgres://x@127.0.0.1:1/x', TICKS_RETENTION_DAYS: 'soon' },
      /TICKS_RETENTION_DAYS/,
    ],
    [
      {
        DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
        TICKS_RETENTION_DAYS: '3',
        TICKS_COMPRESS_AFTER_DAYS: '7',
      },
      /TICKS_RETENTION_DAYS \(3\) must be longer than TICKS_COMPRESS_AFTER_DAYS \(7\)/,
    ],
  ])('%o', async (env, message) => {
    const run = await migrateCommand({ DATABASE_URL: '', ...env });
    expect(run.code).toBe(2);
    expect(run.output).toMatch(message);
  });

  it('exits 1 when the database cannot be migrated, without its password in the log', async () => {
    const run = await migrateCommand({ DATABASE_URL: 'postgres://u:s3cret-pass@127.0.0.1:1/x' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('migration failed');
    expect(run.output).not.toContain('s3cret');
  });
});
