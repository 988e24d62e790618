import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPostgresBinDir, startOwnPostgres, type OwnPostgres } from './own-postgres.ts';

export interface TimescaleInstall {
  /** The version the installed control file names as its default, e.g. `2.28.3`. */
  version: string;
  binDir: string;
}

/** The settings a cluster needs to load TimescaleDB (and never phone home). */
export const TIMESCALE_SETTINGS = {
  shared_preload_libraries: 'timescaledb',
  'timescaledb.telemetry_level': 'off',
} as const;

function pgConfig(binDir: string, flag: string): string | undefined {
  try {
    return execFileSync(join(binDir, 'pg_config'), [flag]).toString().trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether the machine's PostgreSQL server has the timescaledb extension installed: its control
 * file in `pg_config --sharedir`/extension and its library in `--pkglibdir`, as the server of
 * `binDir` sees them. Undefined when either is missing (or there is no server at all).
 */
export function findTimescale(env: NodeJS.ProcessEnv = process.env): TimescaleInstall | undefined {
  let binDir: string;
  try {
    binDir = findPostgresBinDir(env);
  } catch {
    return undefined;
  }
  const shareDir = pgConfig(binDir, '--sharedir');
  const libDir = pgConfig(binDir, '--pkglibdir');
  if (!shareDir || !libDir) return undefined;
  const control = join(shareDir, 'extension', 'timescaledb.control');
  if (!existsSync(control) || !existsSync(join(libDir, 'timescaledb.so'))) return undefined;
  const version = /default_version\s*=\s*'([^']+)'/.exec(readFileSync(control, 'utf8'))?.[1];
  return version ? { version, binDir } : undefined;
}

/**
 * A PostgreSQL server of our own that preloads TimescaleDB, on `port`; its data in `dataDir`
 * (kept across starts) or a new temp dir. The caller checks `findTimescale()` first.
 */
export async function startTimescalePostgres(options: {
  port: number;
  dataDir?: string;
  settings?: Record<string, string>;
}): Promise<OwnPostgres> {
  const install = findTimescale();
  if (!install) throw new Error('the timescaledb extension is not installed on this machine');
  return startOwnPostgres({
    port: options.port,
    dataDir: options.dataDir,
    binDir: install.binDir,
    settings: { ...TIMESCALE_SETTINGS, ...options.settings },
  });
}
