// The PostgreSQL servers a storage benchmark compares: the machine's plain one, and one of
// our own that loads TimescaleDB when the extension is installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findTimescale, startTimescalePostgres } from '@cryptoviz/devenv';
import type { StorageFlavor } from '@cryptoviz/store';

export interface StorageServer {
  flavor: StorageFlavor;
  adminUrl: string;
  stop(): Promise<void>;
}

const TIMESCALE_BENCH_PORT = Number(process.env.BENCH_TIMESCALE_PORT ?? 54342);

/** The plain server given, plus a TimescaleDB one when the machine can start it. */
export async function storageServers(plainAdminUrl: string): Promise<StorageServer[]> {
  const servers: StorageServer[] = [
    { flavor: 'postgresql', adminUrl: plainAdminUrl, stop: async () => {} },
  ];
  const install = findTimescale();
  if (!install) {
    process.stderr.write('TimescaleDB is not installed here: plain PostgreSQL only\n');
    return servers;
  }
  const dataDir = join(mkdtempSync(join(tmpdir(), 'bench-tsdb-')), 'data');
  // No job scheduler: a policy run mid-measure would move the aggregates' threshold at a
  // random moment; the benchmarks place it themselves.
  const server = await startTimescalePostgres({
    port: TIMESCALE_BENCH_PORT,
    dataDir,
    settings: { 'timescaledb.max_background_workers': '0' },
  });
  servers.push({
    flavor: 'timescaledb',
    adminUrl: server.adminUrl,
    stop: async () => {
      await server.stop();
      rmSync(dirname(dataDir), { recursive: true, force: true });
    },
  });
  return servers;
}
