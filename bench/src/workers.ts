/**
 * Each worker role started compiled (`node dist/cryptoviz.js <role>`, what `cryptoviz up` and
 * the image run) and from its TypeScript sources under tsx (how it ran before):
 *  - start-up: from spawn to the first 200 on /readyz;
 *  - memory: the process's RSS once it has run for SETTLE_MS after becoming ready, its peak,
 *    and the anonymous part of the RSS (the process's own; the rest is mostly pages of the node
 *    binary, shared in the page cache by every node process on the machine).
 * Compiled roles run with the image's V8 flags (NODE_FLAGS), as `cryptoviz up` and the image do.
 * Three runs of each; the median is reported. Prints one JSON line, then a table for people.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { describeMachine } from './machine.ts';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { deleteStreams, topology } from '@cryptoviz/bus';
import { ensureCompiledPlatform } from '@cryptoviz/cli/compile';
import { createDatabase, dropDatabase, findOrStartInfrastructure } from '@cryptoviz/devenv';
import { migrate } from '@cryptoviz/store';
import { freePort, NODE_FLAGS } from '@cryptoviz/workloads';

const RUNS = 3;
const SETTLE_MS = 5_000;
const ROLES = ['fetcher', 'writer', 'predictor'] as const;
type Role = (typeof ROLES)[number];

const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve('tsx')).href;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => process.stderr.write(`${line}\n`);

function memoryOf(pid: number): { rssMb: number; peakMb: number; anonMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024 };
}

async function measure(argv: string[], env: Record<string, string>) {
  const probePort = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, ...env, HTTP_PORT: String(probePort), HTTP_HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${argv.join(' ')} exited:\n${stderr}`);
      const status = await fetch(`http://127.0.0.1:${probePort}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      await sleep(20);
    }
    const readyMs = performance.now() - started;
    await sleep(SETTLE_MS);
    return { readyMs, ...memoryOf(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const entry = await ensureCompiledPlatform(log);
const infra = await findOrStartInfrastructure(undefined, process.env, log);
const dbName = `bench_workers_${process.pid}`;
const databaseUrl = await createDatabase(infra.postgres.adminUrl, dbName);
await migrate(databaseUrl);
const manifests = mkdtempSync(join(tmpdir(), 'bench-workers-'));
writeFileSync(
  join(manifests, 'source.yaml'),
  'apiVersion: cryptoviz.dev/v1alpha1\nkind: CryptoSource\nmetadata: { name: bench }\n' +
    'spec: { provider: synthetic, symbols: [BTC, ETH, SOL], interval: 1s }\n',
);
writeFileSync(
  join(manifests, 'model.yaml'),
  'apiVersion: cryptoviz.dev/v1alpha1\nkind: PredictionModel\nmetadata: { name: bench }\n' +
    'spec: { algorithm: holt, symbols: [BTC], sources: [bench], interval: 1m, horizons: [1m] }\n',
);
const env: Record<Role, Record<string, string>> = {
  fetcher: { SOURCE_FILE: join(manifests, 'source.yaml') },
  writer: { DATABASE_URL: databaseUrl },
  predictor: { DATABASE_URL: databaseUrl, MODEL_FILE: join(manifests, 'model.yaml') },
};
const common = {
  NATS_URL: infra.nats.url,
  CRYPTOVIZ_NAMESPACE: `benchw${process.pid}`,
  LOG_LEVEL: 'warn',
};

const rows: Record<string, unknown>[] = [];
try {
  for (const role of ROLES) {
    const ways = {
      compiled: [...NODE_FLAGS, entry, role],
      tsx: ['--import', tsx, require.resolve(`@cryptoviz/${role}/main`)],
    };
    for (const [way, argv] of Object.entries(ways)) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(argv, { ...common, ...env[role] }));
      const row = {
        role,
        way,
        readyMs: Math.round(median(runs.map((r) => r.readyMs))),
        rssMb: Math.round(median(runs.map((r) => r.rssMb))),
        peakMb: Math.round(median(runs.map((r) => r.peakMb))),
        anonMb: Math.round(median(runs.map((r) => r.anonMb))),
      };
      log(JSON.stringify(row));
      rows.push(row);
    }
  }
} finally {
  const nc = await connect({ servers: infra.nats.url });
  await deleteStreams(await jetstreamManager(nc), topology(common.CRYPTOVIZ_NAMESPACE));
  await nc.close();
  await dropDatabase(infra.postgres.adminUrl, dbName);
  await infra.stop();
}

const machine = describeMachine();
process.stdout.write(
  `${JSON.stringify({ bench: 'workers', machine, nodeFlags: NODE_FLAGS, settleMs: SETTLE_MS, rows })}\n`,
);
process.stdout.write('\nrole       way        ready (ms)  RSS (MB)  peak (MB)  anon (MB)\n');
for (const row of rows) {
  process.stdout.write(
    `${String(row.role).padEnd(10)} ${String(row.way).padEnd(10)} ${String(row.readyMs).padStart(10)} ${String(row.rssMb).padStart(9)} ${String(row.peakMb).padStart(10)} ${String(row.anonMb).padStart(10)}\n`,
  );
}
