import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect } from './postgres.ts';

export interface OwnPostgresOptions {
  /** Loopback port to listen on (the same one across restarts). */
  port: number;
  /** Data directory; created with initdb when empty. Default: a new temp dir. */
  dataDir?: string;
  /** Extra server settings, each passed as `-c name=value`. */
  settings?: Record<string, string>;
  /** Folder holding initdb and postgres; default: `PG_BIN_DIR`, else Debian's newest. */
  binDir?: string;
}

/**
 * A PostgreSQL server of the caller's own, which it may crash and start again: for tests and
 * benchmarks that must not touch a server others share.
 */
export interface OwnPostgres {
  port: number;
  dataDir: string;
  /** URL of the `postgres` maintenance database (user postgres, trust auth). */
  adminUrl: string;
  /** The postmaster's pid while it runs. */
  readonly pid: number | undefined;
  /** SIGKILL of the postmaster and every backend: no shutdown checkpoint, recovery at start. */
  crash(): Promise<void>;
  /** Starts the server again on the same data directory and port; resolves once it answers. */
  start(): Promise<void>;
  /** A fast (but clean) shutdown; a data directory it made itself (no `dataDir` given) goes too. */
  stop(): Promise<void>;
}

const DEBIAN_ROOT = '/usr/lib/postgresql';

/** Debian keeps each major version's binaries in /usr/lib/postgresql/<major>/bin. */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PG_BIN_DIR) return env.PG_BIN_DIR;
  const majors = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((name) => existsSync(join(DEBIAN_ROOT, name, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors[0]) return join(DEBIAN_ROOT, majors[0], 'bin');
  throw new Error(
    `no PostgreSQL server binaries in ${DEBIAN_ROOT}/<version>/bin; set PG_BIN_DIR to the folder holding initdb and postgres`,
  );
}

/** PostgreSQL refuses to run as root: there, the server runs as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startOwnPostgres(options: OwnPostgresOptions): Promise<OwnPostgres> {
  const binDir = options.binDir ?? findPostgresBinDir();
  const ownDir = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'own-pg-')) : undefined;
  const dataDir = options.dataDir ?? join(ownDir!, 'data');
  const user = serverUser();
  const asServer = user ? { uid: user.uid, gid: user.gid } : {};
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    // The server writes its log and socket beside the data, so it owns the parent folder too;
    // the folders above must let it through (a mkdtemp folder is 0700: open it to 0755).
    mkdirSync(join(dataDir, '..'), { recursive: true });
    if (user) chownSync(join(dataDir, '..'), user.uid, user.gid);
    execFileSync(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'],
      { ...asServer, stdio: 'ignore' },
    );
  }
  const logFile = join(dataDir, '..', 'postgres.log');
  const args = [
    '-D',
    dataDir,
    '-p',
    String(options.port),
    '-c',
    'listen_addresses=127.0.0.1',
    // Its socket beside the data: /var/run/postgresql belongs to the machine's own server.
    '-c',
    `unix_socket_directories=${join(dataDir, '..')}`,
    ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => [
      '-c',
      `${name}=${value}`,
    ]),
  ];
  const adminUrl = `postgres://postgres@127.0.0.1:${options.port}/postgres`;
  let child: ChildProcess | undefined;

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const exited = (proc: ChildProcess) =>
    proc.exitCode !== null || proc.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => proc.once('exit', () => resolve()));

  async function start(): Promise<void> {
    if (running()) return;
    const log = openSync(logFile, 'a');
    // Its own process group, so that a crash takes the backends down with the postmaster.
    const proc = spawn(join(binDir, 'postgres'), args, {
      ...asServer,
      detached: true,
      stdio: ['ignore', log, log],
    });
    child = proc;
    await waitUntil(
      async () => {
        if (proc.exitCode !== null) {
          throw new Error(`postgres exited with ${proc.exitCode}; see ${logFile}`);
        }
        return canConnect(adminUrl);
      },
      `PostgreSQL did not answer on port ${options.port}`,
      60_000,
    );
  }

  await start();
  return {
    port: options.port,
    dataDir,
    adminUrl,
    get pid() {
      return running() ? child?.pid : undefined;
    },
    async crash() {
      if (!running() || !child?.pid) return;
      const proc = child;
      process.kill(-child.pid, 'SIGKILL');
      await exited(proc);
      // Backends notice a dead postmaster on their own; the next start needs them gone.
      await waitUntil(
        async () => !groupAlive(proc.pid!),
        'PostgreSQL backends did not exit',
        10_000,
      );
    },
    start,
    async stop() {
      if (running() && child) {
        const proc = child;
        proc.kill('SIGINT');
        await exited(proc);
      }
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
