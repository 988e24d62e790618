/**
 * What the image's V8 flags (NODE_FLAGS) cost the writer at full ingest: the compiled writer,
 * with and without them, drains ticks a separate publisher sends as fast as JetStream confirms
 * them (one tick a message, then up to 100); the figure is the writer's own CPU time per tick
 * (from /proc, so other work on the machine inflates it less than wall time). Alternating runs,
 * RUNS of each. Prints one JSON line, then a table.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describeMachine } from './machine.ts';
import { pathToFileURL } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { deleteStreams, declareBusInfrastructure, topology } from '@cryptoviz/bus';
import { ensureCompiledPlatform } from '@cryptoviz/cli/compile';
import { createDatabase, dropDatabase, findOrStartInfrastructure } from '@cryptoviz/devenv';
import { countTicks, createPool, migrate } from '@cryptoviz/store';
import { freePort, NODE_FLAGS } from '@cryptoviz/workloads';

const RUNS = Number(process.env.RUNS ?? 3);
const SHAPES = [
  { perMessage: 1, ticks: 100_000 },
  { perMessage: 100, ticks: 200_000 },
];
const VARIANTS: Record<string, readonly string[]> = {
  'V8 defaults': [],
  [`NODE_FLAGS (${NODE_FLAGS.join(' ')})`]: NODE_FLAGS,
  '--optimize-for-size': ['--optimize-for-size'],
};

const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve('tsx')).href;
const publisherScript = new URL('./ingest-publisher.ts', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** User plus system CPU seconds of a process (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const entry = await ensureCompiledPlatform((line) => process.stderr.write(`${line}\n`));
const infra = await findOrStartInfrastructure(undefined, process.env, () => undefined);
const dbName = `bench_writer_flags_${process.pid}`;
const databaseUrl = await createDatabase(infra.postgres.adminUrl, dbName);
await migrate(databaseUrl);
const pool = createPool(databaseUrl);
const nc = await connect({ servers: infra.nats.url });
const jsm = await jetstreamManager(nc);

async function drain(flags: readonly string[], perMessage: number, ticks: number, run: string) {
  const topo = topology(`benchwf${process.pid}${run}`);
  await declareBusInfrastructure(jsm, topo);
  const probePort = await freePort();
  const writer = spawn(process.execPath, [...flags, entry, 'writer'], {
    env: {
      ...process.env,
      NATS_URL: infra.nats.url,
      DATABASE_URL: databaseUrl,
      CRYPTOVIZ_NAMESPACE: topo.namespace,
      LOG_LEVEL: 'warn',
      HTTP_PORT: String(probePort),
      HTTP_HOST: '127.0.0.1',
    },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => writer.once('exit', resolve));
  try {
    const ready = () =>
      fetch(`http://127.0.0.1:${probePort}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
    while (!(await ready())) await sleep(50);
    const before = cpuSeconds(writer.pid!);
    const publisher = spawn(process.execPath, ['--import', tsx, publisherScript], {
      env: {
        ...process.env,
        NATS_URL: infra.nats.url,
        NS: topo.namespace,
        COUNT: String(ticks),
        RATE: '0',
        PER_MESSAGE: String(perMessage),
      },
      stdio: 'ignore',
    });
    await new Promise((resolve) => publisher.once('exit', resolve));
    while ((await countTicks(pool)) < ticks) await sleep(50);
    return ((cpuSeconds(writer.pid!) - before) / ticks) * 1e6;
  } finally {
    writer.kill('SIGTERM');
    await exited;
    await pool.query('TRUNCATE ticks, latest_ticks');
    await deleteStreams(jsm, topo);
  }
}

const rows: { flags: string; perMessage: number; cpuUsPerTick: number; runs: number[] }[] = [];
try {
  for (const { perMessage, ticks } of SHAPES) {
    const runs: Record<string, number[]> = {};
    for (let i = 0; i < RUNS; i++) {
      for (const [name, flags] of Object.entries(VARIANTS)) {
        const us = await drain(flags, perMessage, ticks, `m${perMessage}r${i}${name.length}`);
        (runs[name] ??= []).push(Math.round(us * 10) / 10);
        process.stderr.write(`${name}, ${perMessage} a message: ${us.toFixed(1)} µs a tick\n`);
      }
    }
    for (const [name, values] of Object.entries(runs)) {
      rows.push({ flags: name, perMessage, cpuUsPerTick: median(values), runs: values });
    }
  }
} finally {
  await pool.end();
  await nc.close();
  await dropDatabase(infra.postgres.adminUrl, dbName);
  await infra.stop();
}

const machine = describeMachine();
process.stdout.write(
  `${JSON.stringify({ bench: 'writer-flags', machine, nodeFlags: NODE_FLAGS, rows })}\n`,
);
process.stdout.write(
  '\nflags                                                        ticks/message  writer CPU µs/tick (median)\n',
);
for (const row of rows) {
  process.stdout.write(
    `${row.flags.padEnd(60)} ${String(row.perMessage).padStart(13)} ${String(row.cpuUsPerTick).padStart(28)}\n`,
  );
}
