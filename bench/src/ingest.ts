// npm run bench:ingest — sustained end-to-end ingest (publish → JetStream → writer →
// committed rows) against a plain COPY of the same rows into the same table.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  deleteStreams,
  declareBusInfrastructure,
  MAX_TICKS_PER_MESSAGE,
  topology,
} from '@cryptoviz/bus';
import { createDatabase, dropDatabase, findOrStartInfrastructure } from '@cryptoviz/devenv';
import { createLogger, createRegistry } from '@cryptoviz/runtime';
import { countTicks, createPool, migrate } from '@cryptoviz/store';
import { sampleTicks } from '@cryptoviz/testkit/ticks';
import { startWriter } from '@cryptoviz/writer';
import { storageServers } from './storage-servers.ts';

const TICKS = Number(process.env.BENCH_TICKS ?? 300_000);
/** Latency is measured at a steady rate the pipeline sustains, not in a saturated backlog. */
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 10_000);
const PACED_SECONDS = 15;
const BATCH_ROWS = Number(process.env.WRITER_BATCH_ROWS ?? 5_000);
const require = createRequire(import.meta.url);

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function rawCopyRowsPerSec(url: string): Promise<number> {
  const ticks = sampleTicks(TICKS, 'default/copy', Date.parse('2023-01-01T00:00:00Z'), 50);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const lines = ticks.map(
      (t) =>
        `${t.time}\t${t.source}\t${t.symbol}\t${t.provider}\t${t.quote}\t${t.price}\t${t.volume24h ?? '\\N'}\t${t.marketCap ?? '\\N'}\t${t.change24hPct ?? '\\N'}\n`,
    );
    const started = performance.now();
    await pipeline(
      Readable.from(lines),
      client.query(
        copyFrom(
          'COPY ticks (time, source, symbol, provider, quote, price, volume_24h, market_cap, change_24h_pct) FROM STDIN',
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    await client.query('TRUNCATE ticks, latest_ticks');
    return TICKS / seconds;
  } finally {
    await client.end();
  }
}

async function endToEnd(url: string, natsUrl: string, count: number, perMessage: number, rate = 0) {
  const topo = topology(`bench${process.pid}r${rate}m${perMessage}`);
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  await declareBusInfrastructure(jsm, topo);
  const pool = createPool(url);
  const latencies = new Float64Array(count);
  let observed = 0;
  let firstStored = Number.POSITIVE_INFINITY;
  let lastCommit = 0;
  const writer = await startWriter({
    nc,
    topo,
    pool,
    log: createLogger('bench', 'warn'),
    registry: createRegistry('bench'),
    consumerName: 'writer',
    batchRows: BATCH_ROWS,
    batchMaxMs: 100,
    ackWaitS: 30,
    concurrency: Number(process.env.WRITER_CONCURRENCY ?? 2),
    onCommitted: (batch, committedAt) => {
      lastCommit = Math.max(lastCommit, committedAt);
      for (const msg of batch) {
        const stored = msg.info.timestampNanos / 1e6;
        firstStored = Math.min(firstStored, stored);
        if (observed < count) latencies[observed++] = committedAt - stored;
      }
    },
  });
  // The load comes from another process, as it would from fetchers.
  const publisher = spawn(
    process.execPath,
    [
      '--import',
      pathToFileURL(require.resolve('tsx')).href,
      new URL('./ingest-publisher.ts', import.meta.url).pathname,
    ],
    {
      env: {
        ...process.env,
        NATS_URL: natsUrl,
        NS: topo.namespace,
        COUNT: String(count),
        RATE: String(rate),
        PER_MESSAGE: String(perMessage),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let publisherOutput = '';
  publisher.stdout.on('data', (chunk: Buffer) => (publisherOutput += chunk.toString()));
  await new Promise((resolve) => publisher.once('exit', resolve));
  while ((await countTicks(pool)) < count) await new Promise((r) => setTimeout(r, 50));
  await writer.stop();
  await pool.query('TRUNCATE ticks, latest_ticks');
  await pool.end();
  await deleteStreams(jsm, topo);
  await nc.close();
  const publish = JSON.parse(publisherOutput) as { published: number; seconds: number };
  const sorted = latencies.subarray(0, observed).sort();
  return {
    // From the first tick entering JetStream to the last commit: the publisher's start-up
    // (loading its TypeScript) is not ingest time.
    ticksPerSec: count / ((lastCommit - firstStored) / 1000),
    publishPerSec: publish.published / publish.seconds,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
  };
}

/** End-to-end ingest with ticks sharing messages, and raw COPY, on one server's new database. */
async function onServer(adminUrl: string, natsUrl: string) {
  const name = `cryptoviz_bench_${process.pid}`;
  const url = await createDatabase(adminUrl, name);
  try {
    await migrate(url);
    const raw = await rawCopyRowsPerSec(url);
    const e2e = await endToEnd(url, natsUrl, TICKS, MAX_TICKS_PER_MESSAGE);
    return { url, name, raw, e2e };
  } catch (err) {
    await dropDatabase(adminUrl, name);
    throw err;
  }
}

/**
 * TimescaleDB again, the ticks now behind the candle aggregates' threshold (materialized up
 * to now): what a backfill or a replay of the past costs, each batch refreshing its candles.
 */
async function intoHistory(adminUrl: string, natsUrl: string) {
  const name = `cryptoviz_bench_history_${process.pid}`;
  const url = await createDatabase(adminUrl, name);
  try {
    await migrate(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const view of ['candles_1m', 'candles_1h', 'candles_1d']) {
      await client.query(
        `CALL refresh_continuous_aggregate('${view}', NULL, now() - INTERVAL '1 day')`,
      );
    }
    await client.end();
    return await endToEnd(url, natsUrl, TICKS, MAX_TICKS_PER_MESSAGE);
  } finally {
    await dropDatabase(adminUrl, name);
  }
}

const infra = await findOrStartInfrastructure();
const servers = await storageServers(infra.postgres.adminUrl);
const dbName = `cryptoviz_bench_${process.pid}`;
try {
  // TimescaleDB first, on its own server: the same ingest, its ratio to COPY on that server.
  const timescale = servers.find((s) => s.flavor === 'timescaledb');
  const tsdb = timescale ? await onServer(timescale.adminUrl, infra.nats.url) : undefined;
  if (tsdb && timescale) await dropDatabase(timescale.adminUrl, tsdb.name);
  const history = timescale ? await intoHistory(timescale.adminUrl, infra.nats.url) : undefined;
  const { url, raw, e2e } = await onServer(infra.postgres.adminUrl, infra.nats.url);
  // Fetchers put up to 100 ticks of a symbol in a message (a backfill, a fast replay) and
  // one in a message when a poll brings one per symbol: both shapes are measured.
  const single = await endToEnd(url, infra.nats.url, TICKS, 1);
  const paced = await endToEnd(
    url,
    infra.nats.url,
    PACED_RATE * PACED_SECONDS,
    MAX_TICKS_PER_MESSAGE,
    PACED_RATE,
  );
  const result = {
    bench: 'ingest',
    ticks: TICKS,
    batchRows: BATCH_ROWS,
    ticksPerSec: Math.round(e2e.ticksPerSec),
    rawCopyRowsPerSec: Math.round(raw),
    ratio: Number((e2e.ticksPerSec / raw).toFixed(3)),
    p50Ms: Math.round(paced.p50Ms),
    p99Ms: Math.round(paced.p99Ms),
    latencyAtTicksPerSec: PACED_RATE,
    saturatedP50Ms: Math.round(e2e.p50Ms),
    saturatedP99Ms: Math.round(e2e.p99Ms),
    publishPerSec: Math.round(e2e.publishPerSec),
    singleTickMessages: {
      ticksPerSec: Math.round(single.ticksPerSec),
      ratio: Number((single.ticksPerSec / raw).toFixed(3)),
      publishPerSec: Math.round(single.publishPerSec),
    },
    timescaledb: tsdb && {
      ticksPerSec: Math.round(tsdb.e2e.ticksPerSec),
      rawCopyRowsPerSec: Math.round(tsdb.raw),
      ratio: Number((tsdb.e2e.ticksPerSec / tsdb.raw).toFixed(3)),
      toPlain: Number((tsdb.e2e.ticksPerSec / e2e.ticksPerSec).toFixed(3)),
      intoHistory: history && {
        ticksPerSec: Math.round(history.ticksPerSec),
        toPlain: Number((history.ticksPerSec / e2e.ticksPerSec).toFixed(3)),
      },
    },
    machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    date: new Date().toISOString().slice(0, 10),
  };
  process.stdout.write(`${JSON.stringify(result)}\n\n`);
  const rows: [string, string][] = [
    ['ticks', String(TICKS)],
    ['end-to-end ingest', `${result.ticksPerSec.toLocaleString('en')} ticks/s`],
    ['raw COPY', `${result.rawCopyRowsPerSec.toLocaleString('en')} rows/s`],
    ['ratio to COPY', String(result.ratio)],
    [`p50 at ${PACED_RATE.toLocaleString('en')}/s`, `${result.p50Ms} ms publish → commit`],
    [`p99 at ${PACED_RATE.toLocaleString('en')}/s`, `${result.p99Ms} ms publish → commit`],
    ['p50 / p99 saturated', `${result.saturatedP50Ms} / ${result.saturatedP99Ms} ms (backlog)`],
    ['publisher alone', `${result.publishPerSec.toLocaleString('en')} ticks/s`],
    [
      'one tick a message',
      `${result.singleTickMessages.ticksPerSec.toLocaleString('en')} ticks/s (ratio ${result.singleTickMessages.ratio})`,
    ],
  ];
  if (result.timescaledb) {
    const ts = result.timescaledb;
    rows.push(
      [
        'TimescaleDB ingest',
        `${ts.ticksPerSec.toLocaleString('en')} ticks/s (${ts.toPlain}× plain)`,
      ],
      [
        'TimescaleDB raw COPY',
        `${ts.rawCopyRowsPerSec.toLocaleString('en')} rows/s (ratio ${ts.ratio})`,
      ],
    );
  }
  for (const [name, value] of rows) process.stdout.write(`  ${name.padEnd(24)} ${value}\n`);
} finally {
  await dropDatabase(infra.postgres.adminUrl, dbName);
  for (const server of servers) await server.stop();
  await infra.stop();
}
