import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testInfra } from '@cryptoviz/testkit';
import {
  dropDatabase,
  findOrStartNats,
  findOrStartPostgres,
  HOW_TO_GET_NATS,
  natsBuildDir,
  probeNats,
} from '../src/index.ts';
import { queryOnce } from './query-once.ts';

// Nothing listens here: the "fresh machine" a newcomer has.
const NOBODY = 'postgres://postgres@127.0.0.1:1/postgres';
const NO_NATS = 'nats://127.0.0.1:1';
const state = () => mkdtempSync(join(tmpdir(), 'devenv-'));

describe('finding or starting PostgreSQL', () => {
  it('refuses a DATABASE_URL that does not answer rather than starting something else', async () => {
    await expect(findOrStartPostgres(state(), { DATABASE_URL: NOBODY })).rejects.toThrow(
      'DATABASE_URL is set but PostgreSQL does not answer there',
    );
  });

  it('names a database DATABASE_URL lacks on a server that answers, and how to create it', async () => {
    const admin = testInfra().adminDatabaseUrl;
    const missing = new URL(admin);
    missing.pathname = `/cvz_missing_${randomBytes(4).toString('hex')}`;
    const name = missing.pathname.slice(1);
    const failure = findOrStartPostgres(state(), { DATABASE_URL: missing.toString() });
    await expect(failure).rejects.toThrow(
      `DATABASE_URL names the database "${name}", which does not exist on the PostgreSQL server at ${missing.hostname}:${missing.port || '5432'} (the server answers).`,
    );
    await expect(failure).rejects.toThrow(/cryptoviz up --create-database/);
    await expect(failure).rejects.toThrow(new RegExp(`createdb -h \\S+ -p \\d+ -U \\S+ ${name}`));
    await expect(failure).rejects.not.toThrow(/does not answer/);
  });

  it('creates the database DATABASE_URL names when asked to', async () => {
    const admin = testInfra().adminDatabaseUrl;
    const missing = new URL(admin);
    missing.pathname = `/cvz_missing_${randomBytes(4).toString('hex')}`;
    const name = missing.pathname.slice(1);
    const lines: string[] = [];
    try {
      const found = await findOrStartPostgres(
        state(),
        { DATABASE_URL: missing.toString() },
        (line) => lines.push(line),
        { createDatabase: true },
      );
      expect(found.origin).toBe('DATABASE_URL');
      expect((await queryOnce(missing.toString(), 'SELECT current_database() AS db')).rows).toEqual(
        [{ db: name }],
      );
      expect(lines.join('\n')).toContain(`created the database "${name}"`);
    } finally {
      await dropDatabase(admin, name);
    }
  });

  it('starts an embedded PostgreSQL from npm when no server runs, keeping its data', async () => {
    const dir = state();
    const lines: string[] = [];
    const where = { localUrl: NOBODY, embeddedPort: 54339 };
    const first = await findOrStartPostgres(dir, {}, (l) => lines.push(l), where);
    try {
      expect(first.origin).toBe('embedded');
      expect(lines.join('\n')).toMatch(/starting an embedded one/);
      await queryOnce(first.adminUrl, 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)');
    } finally {
      await first.stop();
    }
    const second = await findOrStartPostgres(dir, {}, () => {}, where);
    try {
      expect((await queryOnce(second.adminUrl, 'SELECT x FROM kept')).rows).toEqual([{ x: 42 }]);
    } finally {
      await second.stop();
    }
  }, 120_000);
});

describe('finding or starting NATS', () => {
  it('starts a nats-server binary with JetStream when none answers, and stops it', async () => {
    const nats = await findOrStartNats(state(), {}, () => {}, {
      localUrl: NO_NATS,
      spawnPort: 14223,
    });
    expect(nats).toMatchObject({ origin: 'nats-server', url: 'nats://127.0.0.1:14223' });
    expect(await probeNats(nats.url)).toBe('ok');
    await nats.stop();
    expect(await probeNats(nats.url)).toBe('no-server');
  });

  it(
    'builds nats-server with Go when none is installed, once per machine',
    async () => {
      // This machine has Debian's binary: search only where there is none, and the build cache.
      const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? '' };
      const lines: string[] = [];
      const nats = await findOrStartNats(state(), env, (l) => lines.push(l), {
        localUrl: NO_NATS,
        spawnPort: 14225,
        searchDirs: [state(), natsBuildDir(env)],
      });
      try {
        expect(await probeNats(nats.url)).toBe('ok');
        // Built now, or by an earlier run on this machine: either way, from the cache.
        expect(lines.join('\n')).toContain(join(natsBuildDir(env), 'nats-server'));
        expect(existsSync(join(natsBuildDir(env), 'nats-server'))).toBe(true);
      } finally {
        await nats.stop();
      }
    },
    20 * 60_000,
  );

  it('says exactly how to get one when there is no binary and no Go either', async () => {
    const where = { localUrl: NO_NATS, spawnPort: 14224, searchDirs: [state()] };
    const noGo = { GO: '/nonexistent/go' };
    await expect(findOrStartNats(state(), noGo, () => {}, where)).rejects.toThrow(HOW_TO_GET_NATS);
    const missing = { ...noGo, NATS_SERVER_BIN: '/nonexistent/nats-server' };
    await expect(findOrStartNats(state(), missing, () => {}, where)).rejects.toThrow(
      HOW_TO_GET_NATS,
    );
  });
});
