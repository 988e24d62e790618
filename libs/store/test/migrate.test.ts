import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, dropDatabase } from '@cryptoviz/devenv';
import {
  adminUrlFor,
  createTestDatabase,
  storageFlavors,
  uniqueName,
  type TestDatabase,
} from '@cryptoviz/testkit';
import {
  checkStoragePolicy,
  isKnownTimescale,
  migrate,
  readSchemaState,
  SCHEMA_VERSION,
  waitForSchema,
} from '../src/index.ts';

interface Job {
  job_id: number;
  proc_name: string;
  hypertable_name: string;
  config: Record<string, unknown>;
}

async function jobs(db: TestDatabase): Promise<Job[]> {
  const result = await db.pool.query<Job>(
    `SELECT job_id, proc_name, hypertable_name, config FROM timescaledb_information.jobs
     WHERE job_id >= 1000 ORDER BY proc_name, hypertable_name, job_id`,
  );
  return result.rows;
}

const messages = () => {
  const lines: string[] = [];
  return { lines, log: { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) } };
};

describe.each(storageFlavors())('cryptoviz migrate on %s', (flavor) => {
  const dbs: TestDatabase[] = [];
  const fresh = async () => {
    const db = await createTestDatabase(flavor, { migrated: false });
    dbs.push(db);
    return db;
  };
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.drop();
  });

  it('runs 8 at once on a new database: one after another, each finding the work done', async () => {
    const db = await fresh();
    const results = await Promise.all(Array.from({ length: 8 }, () => migrate(db.url)));
    expect(results).toEqual(Array(8).fill(flavor));
    expect(await readSchemaState(db.pool)).toEqual({ version: SCHEMA_VERSION, flavor });
    if (flavor === 'timescaledb') {
      const all = await jobs(db);
      // One of each: retention, compression, three candle refreshes; nothing doubled.
      expect(all.map((job) => `${job.proc_name}:${job.hypertable_name}`)).toEqual([
        'policy_compression:ticks',
        'policy_refresh_continuous_aggregate:candles_1d',
        'policy_refresh_continuous_aggregate:candles_1h',
        'policy_refresh_continuous_aggregate:candles_1m',
        'policy_retention:ticks',
      ]);
    }
  });

  it('lets workers wait for the schema, then tells them the flavor', async () => {
    const db = await fresh();
    const said: string[] = [];
    const waiting = waitForSchema(db.url, { log: (m) => said.push(m), intervalMs: 50 });
    await expect.poll(() => said.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(said[0]).toMatch(/no CryptoViz schema yet; run `cryptoviz migrate`/);
    await migrate(db.url);
    await expect(waiting).resolves.toBe(flavor);
  });
});

describe.each(storageFlavors().filter((f) => f === 'timescaledb'))(
  'declared policies on %s',
  (flavor) => {
    let db: TestDatabase | undefined;
    afterEach(async () => {
      await db?.drop();
      db = undefined;
    });

    it('alters a policy only when it differs, keeps the job, and 0 turns it off', async () => {
      db = await createTestDatabase(flavor);
      const before = await jobs(db);
      const retention = () =>
        jobs(db!).then((all) => all.find((job) => job.proc_name === 'policy_retention'));
      expect((await retention())?.config).toMatchObject({ drop_created_before: '90 days' });

      const again = messages();
      await migrate(db.url, { log: again.log });
      expect(await jobs(db)).toEqual(before);
      expect(again.lines.join('\n')).toMatch(/unchanged/);

      await migrate(db.url, { policy: { ticksRetentionDays: 30, compressAfterDays: 3 } });
      const changed = await jobs(db);
      expect(changed.map((job) => job.job_id)).toEqual(before.map((job) => job.job_id));
      expect(changed.find((j) => j.proc_name === 'policy_retention')?.config).toMatchObject({
        drop_created_before: '30 days',
      });
      expect(changed.find((j) => j.proc_name === 'policy_compression')?.config).toMatchObject({
        compress_created_before: '3 days',
      });

      await migrate(db.url, { policy: { ticksRetentionDays: 0, compressAfterDays: 3 } });
      expect(await retention()).toBeUndefined();
    });

    it('takes over what an older migrate left: a market-time retention, a bounded refresh window, a duplicate job', async () => {
      db = await createTestDatabase(flavor);
      await db.pool.query(`SELECT delete_job(job_id) FROM timescaledb_information.jobs
                           WHERE proc_name = 'policy_retention'`);
      await db.pool.query("SELECT add_retention_policy('ticks', drop_after => INTERVAL '90 days')");
      const [refresh] = (await jobs(db)).filter((j) => j.hypertable_name === 'candles_1h');
      await db.pool.query(
        `SELECT alter_job(job_id, config => config || '{"start_offset": "3 days"}'::jsonb)
         FROM timescaledb_information.jobs WHERE job_id = $1`,
        [refresh!.job_id],
      );
      // A second compression job on ticks, as two migrations racing used to leave.
      const added = await db.pool.query<{ id: number; hypertable: string }>(
        `SELECT add_job('_timescaledb_functions.policy_compression', INTERVAL '1 day',
                        config => config) AS id, config->>'hypertable_id' AS hypertable
         FROM timescaledb_information.jobs WHERE proc_name = 'policy_compression'`,
      );
      await db.pool.query(
        'UPDATE _timescaledb_config.bgw_job SET hypertable_id = $2 WHERE id = $1',
        [added.rows[0]!.id, added.rows[0]!.hypertable],
      );
      expect((await jobs(db)).filter((j) => j.proc_name === 'policy_compression')).toHaveLength(2);
      const said = messages();
      await migrate(db.url, { log: said.log });
      const after = await jobs(db);
      expect(after.filter((j) => j.proc_name === 'policy_compression')).toHaveLength(1);
      const retention = after.find((j) => j.proc_name === 'policy_retention');
      expect(retention?.config).toMatchObject({ drop_created_before: '90 days' });
      expect(retention?.config).not.toHaveProperty('drop_after');
      expect(after.find((j) => j.job_id === refresh!.job_id)?.config).toMatchObject({
        start_offset: null,
      });
      expect(said.lines.join('\n')).toMatch(/removed duplicate job/);
    });

    it('leaves the plain path, saying what to change, for a user who may not create the extension', async () => {
      const adminUrl = adminUrlFor(flavor);
      const name = uniqueName('cvz_test');
      const role = uniqueName('cvz_role');
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE ROLE ${role} LOGIN`);
        await createDatabase(adminUrl, name);
        // Its tables in public, but no CREATE on the database: no extension of its own.
        const owner = new pg.Client({
          connectionString: adminUrl.replace(/\/postgres$/, `/${name}`),
        });
        await owner.connect();
        await owner.query(`GRANT ALL ON SCHEMA public TO ${role}`);
        await owner.end();
        const url = new URL(adminUrl);
        url.username = role;
        url.pathname = `/${name}`;
        const said = messages();
        await expect(migrate(url.toString(), { log: said.log })).resolves.toBe('postgresql');
        expect(said.lines.join('\n')).toMatch(
          new RegExp(
            `user "${role}" may not create the timescaledb extension.*CREATE EXTENSION timescaledb`,
          ),
        );
      } finally {
        await dropDatabase(adminUrl, name);
        await admin.query(`DROP ROLE IF EXISTS ${role}`);
        await admin.end();
      }
    });
  },
);

describe('migrate where TimescaleDB is not loaded', () => {
  it('takes the plain path and names what to change', async () => {
    const db = await createTestDatabase('postgresql', { migrated: false });
    try {
      const installed = await db.pool.query(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'",
      );
      const said = messages();
      await expect(migrate(db.url, { log: said.log })).resolves.toBe('postgresql');
      expect(said.lines.join('\n')).toMatch(
        installed.rowCount
          ? /TimescaleDB is installed but not preloaded: using plain PostgreSQL.*shared_preload_libraries = 'timescaledb'/
          : /TimescaleDB is not installed on this PostgreSQL server: using plain PostgreSQL/,
      );
    } finally {
      await db.drop();
    }
  });
});

describe('storage policy configuration', () => {
  it('refuses a retention no longer than the compression age, naming both variables', () => {
    expect(() => checkStoragePolicy({ ticksRetentionDays: 5, compressAfterDays: 7 })).toThrow(
      /TICKS_RETENTION_DAYS \(5\) must be longer than TICKS_COMPRESS_AFTER_DAYS \(7\)/,
    );
    expect(() => checkStoragePolicy({ ticksRetentionDays: -1, compressAfterDays: 0 })).toThrow(
      /TICKS_RETENTION_DAYS: -1 is not a whole number/,
    );
    expect(checkStoragePolicy({ ticksRetentionDays: 0, compressAfterDays: 7 })).toEqual({
      ticksRetentionDays: 0,
      compressAfterDays: 7,
    });
  });

  it('knows TimescaleDB 2.13 up to 3.0', () => {
    expect(['2.13.0', '2.28.3', '2.99.1'].map(isKnownTimescale)).toEqual([true, true, true]);
    expect(['2.12.2', '3.0.0', '1.7.5'].map(isKnownTimescale)).toEqual([false, false, false]);
  });
});
