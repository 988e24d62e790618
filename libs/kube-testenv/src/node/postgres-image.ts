import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { findTimescale } from '@cryptoviz/devenv';
import {
  buildStandInImage,
  hostBinary,
  hostTree,
  linkedLibraries,
  imageUser,
  type RootfsEntry,
  type StandInImage,
} from './stand-in-rootfs.ts';

/** The official image's postgres user (alpine's uid 70), which the chart runs the Pod as. */
const POSTGRES_UID = 70;
/** What the image runs: a host shell's copy reads it (see postgres-entrypoint.sh). */
const ENTRYPOINT = '/usr/local/bin/postgres-entrypoint';
const ENTRYPOINT_SOURCE = join(import.meta.dirname, 'postgres-entrypoint.sh');

/** The programs the entrypoint and the chart's probes run. */
const SERVER_PROGRAMS = ['postgres', 'initdb', 'pg_ctl', 'pg_isready'];

function pgConfig(binDir: string, flag: string): string {
  return execFileSync(join(binDir, 'pg_config'), [flag], { encoding: 'utf8' }).trim();
}

/**
 * PostgreSQL + TimescaleDB from this machine, keeping the official postgres image's contract
 * that charts/cryptoviz/templates/database.yaml relies on: env POSTGRES_USER, POSTGRES_DB,
 * POSTGRES_PASSWORD and PGDATA (initialized on first start, password auth for TCP clients,
 * timescaledb preloaded), uid 70, pg_isready on PATH, a read-only root (the chart mounts
 * /var/run/postgresql and /tmp). SIGTERM is a fast shutdown. Arguments go to postgres.
 */
/**
 * Why the stand-in can't be built here, or undefined when it can: it is made of the machine's
 * PostgreSQL with TimescaleDB, which no Debian package brings.
 */
export function standInPostgresUnavailable(): string | undefined {
  const timescale = findTimescale();
  // timescaledb.so only loads the versioned library: both must be there.
  if (
    !timescale ||
    !existsSync(
      join(pgConfig(timescale.binDir, '--pkglibdir'), `timescaledb-${timescale.version}.so`),
    )
  ) {
    return (
      "TimescaleDB is not installed in this machine's PostgreSQL (its control file and " +
      'libraries are missing); install TimescaleDB for PostgreSQL to run it'
    );
  }
  return undefined;
}

export async function postgresImage(): Promise<StandInImage> {
  const missing = standInPostgresUnavailable();
  if (missing) throw new Error(`the stand-in PostgreSQL image cannot be built: ${missing}`);
  const timescale = findTimescale()!;
  const libDir = pgConfig(timescale.binDir, '--pkglibdir');
  const { binDir } = timescale;
  const shareDir = pgConfig(binDir, '--sharedir');
  const major = basename(dirname(binDir));
  // Every server module but JIT (LLVM alone is bigger than the rest; the config turns jit off).
  const modules = readdirSync(libDir)
    .filter((name) => name.endsWith('.so') && !name.startsWith('llvmjit'))
    .map((name) => join(libDir, name));
  const programs = SERVER_PROGRAMS.map((program) => join(binDir, program));
  const entries: RootfsEntry[] = [
    ...[...programs, ...modules].map((from): RootfsEntry => ({ kind: 'host', path: from, from })),
    ...linkedLibraries([...programs, ...modules]),
    ...hostTree(shareDir),
    // Debian's PostgreSQL reads time zones from the system's database; the leap-second
    // variants in right/ are never used.
    ...hostTree('/usr/share/zoneinfo', (path) => !path.startsWith('/usr/share/zoneinfo/right/')),
    ...hostBinary('/bin/dash', '/bin/sh'),
    ...hostBinary('/bin/rm'),
    {
      kind: 'text',
      path: ENTRYPOINT,
      text: readFileSync(ENTRYPOINT_SOURCE, 'utf8'),
      mode: 0o755,
    },
    ...imageUser('postgres', POSTGRES_UID, '/var/lib/postgresql'),
    { kind: 'dir', path: '/tmp', mode: 0o1777 },
    // Mount points: the data volume and the socket folder.
    { kind: 'dir', path: '/var/lib/postgresql/data', mode: 0o777 },
    { kind: 'dir', path: '/var/run/postgresql', mode: 0o777 },
  ];
  return buildStandInImage(
    'timescaledb',
    `cryptoviz.local/timescaledb:${timescale.version}-pg${major}`,
    {
      entrypoint: [ENTRYPOINT],
      env: {
        PATH: `${binDir}:/usr/local/bin:/usr/bin:/bin`,
        PGDATA: '/var/lib/postgresql/data',
      },
      user: `${POSTGRES_UID}:${POSTGRES_UID}`,
      workingDir: '/',
    },
    entries,
  );
}
