/**
 * Gateway and dashboard figures:
 *  - requests/s and p50/p99 latency for `markets.latest` and for a 30-day 1h candle query,
 *    from autocannon in this process against the gateway in its own process (as deployed);
 *  - tick published to JetStream → event read by an SSE client of `live.ticks`, p50/p99, while
 *    ticks are published at 1,000/s;
 *  - the dashboard's JavaScript, gzip-compressed, from a production build.
 * Prints one JSON line, then a table for people.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import autocannon from 'autocannon';
import type { Tick } from '@cryptoviz/market';
import { deleteStreams, declareBusInfrastructure, publishTicks, topology } from '@cryptoviz/bus';
import { createDatabase, dropDatabase, findOrStartInfrastructure } from '@cryptoviz/devenv';
import { createPool, insertTicks, migrate } from '@cryptoviz/store';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DURATION_S = 10;
const TICKS_PER_SECOND = 1_000;
const GATEWAY_MAIN = fileURLToPath(new URL('../../apps/gateway/src/main.ts', import.meta.url));
const WEB_DIR = fileURLToPath(new URL('../../apps/web', import.meta.url));
const VITE = fileURLToPath(new URL('../../node_modules/vite/bin/vite.js', import.meta.url));

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function tick(source: string, symbol: string, timeMs: number, price: number): Tick {
  return {
    source,
    provider: 'synthetic',
    symbol,
    quote: 'USD',
    price,
    volume24h: 1e6,
    marketCap: null,
    change24hPct: 0.5,
    time: new Date(timeMs).toISOString(),
  };
}

/** 20 symbols × 3 sources of latest prices; 30 days of one tick a minute for BTC on `sim`. */
async function seed(url: string): Promise<void> {
  const pool = createPool(url);
  const now = Date.now();
  const latest: Tick[] = [];
  for (const source of ['default/sim', 'default/alt', 'default/third']) {
    for (let i = 0; i < 20; i++) latest.push(tick(source, `SYM${i}`, now - 1_000, 100 + i));
  }
  await insertTicks(pool, latest);
  const history: Tick[] = [];
  for (let t = now - 31 * DAY; t < now; t += 60_000) {
    history.push(tick('default/sim', 'BTC', t, 30_000 + 500 * Math.sin(t / DAY)));
    if (history.length === 5_000) await insertTicks(pool, history.splice(0));
  }
  await insertTicks(pool, history);
  await pool.query('ANALYZE ticks');
  await pool.end();
}

async function startGateway(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', GATEWAY_MAIN], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  let port: string | undefined;
  while (!(port = /"port":(\d+)/.exec(output)?.[1])) {
    if (Date.now() > deadline) throw new Error(`gateway did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function load(url: string, connections: number) {
  const result = await autocannon({ url, connections, duration: DURATION_S, pipelining: 1 });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return {
    requestsPerSec: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

/**
 * A manifests folder declaring the seeded and live sources: live views show only what is
 * declared, so without it every answer would be empty and the figures would time nothing.
 */
function declaredSources(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-manifests-'));
  for (const name of names) {
    writeFileSync(
      join(dir, `source-${name}.yaml`),
      `apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: ${name} }
spec: { provider: synthetic, symbols: [BTC], interval: 1s }
`,
    );
  }
  return dir;
}

/** Publishes 1,000 ticks/s and times each from its publish to its arrival over SSE. */
async function tickToClient(gatewayUrl: string, natsUrl: string, namespace: string) {
  const nc = await connect({ servers: natsUrl });
  const topo = topology(namespace);
  const input = encodeURIComponent(JSON.stringify({ sources: ['live'] }));
  const abort = new AbortController();
  const response = await fetch(`${gatewayUrl}/trpc/live.ticks?input=${input}`, {
    headers: { accept: 'text/event-stream' },
    signal: abort.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let buffer = '';
  const reading = (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: '' }));
      if (chunk.done) return;
      const now = performance.now();
      buffer += chunk.value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
        buffer = buffer.slice(end + 2);
        const key = data?.startsWith('{"source"') ? (JSON.parse(data) as Tick) : undefined;
        const sent = key && sentAt.get(`${key.symbol}:${key.time}`);
        if (sent) latencies.push(now - sent);
      }
    }
  })();
  // Let the subscription's consumer exist before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const total = TICKS_PER_SECOND * DURATION_S;
  const perBatch = 10;
  const started = performance.now();
  const wallStart = Date.now() - 60_000;
  for (let i = 0; i < total; i += perBatch) {
    const due = started + (i / TICKS_PER_SECOND) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const batch = Array.from({ length: perBatch }, (_, j) =>
      tick('default/live', `SYM${(i + j) % 100}`, wallStart + Math.floor((i + j) / 100), 100 + j),
    );
    const now = performance.now();
    for (const t of batch) sentAt.set(`${t.symbol}:${t.time}`, now);
    void publishTicks(nc, topo, batch);
  }
  const deadline = Date.now() + 10_000;
  while (latencies.length < total && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  abort.abort();
  await reading;
  await nc.close();
  const sorted = Float64Array.from(latencies).sort();
  return {
    received: latencies.length,
    sent: total,
    p50Ms: Number(quantile(sorted, 0.5).toFixed(1)),
    p99Ms: Number(quantile(sorted, 0.99).toFixed(1)),
  };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Every JS file the browser may load, gzip-compressed (level 9, as a server would serve it). */
function dashboardJsGzipBytes(): { totalKb: number; largestPageKb: number } {
  const out = mkdtempSync(join(tmpdir(), 'cryptoviz-web-bench-'));
  const build = spawnSync(process.execPath, [VITE, 'build', '--logLevel', 'warn'], {
    cwd: WEB_DIR,
    env: { ...process.env, WEB_BUILD_DIR: out },
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`vite build failed: ${build.stderr}`);
  const files = listFiles(join(out, 'client')).filter((f) => f.endsWith('.js'));
  const sizes = files.map((f) => ({ f, gz: gzipSync(readFileSync(f), { level: 9 }).length }));
  const total = sizes.reduce((sum, s) => sum + s.gz, 0);
  const largestNode = Math.max(...sizes.filter((s) => s.f.includes('/nodes/')).map((s) => s.gz));
  return {
    totalKb: Number((total / 1024).toFixed(1)),
    largestPageKb: Number((largestNode / 1024).toFixed(1)),
  };
}

const infra = await findOrStartInfrastructure();
const dbName = `cryptoviz_bench_gw_${process.pid}`;
const url = await createDatabase(infra.postgres.adminUrl, dbName);
const namespace = `benchgw${process.pid}`;
const nc = await connect({ servers: infra.nats.url });
const jsm = await jetstreamManager(nc);
try {
  await migrate(url);
  await declareBusInfrastructure(jsm, topology(namespace));
  await seed(url);
  const gateway = await startGateway({
    DATABASE_URL: url,
    NATS_URL: infra.nats.url,
    CRYPTOVIZ_NAMESPACE: namespace,
    GATEWAY_PORT: '0',
    GATEWAY_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GATEWAY_RATE_LIMIT_PER_MIN: '10000000',
    GATEWAY_MANIFESTS: declaredSources(['sim', 'alt', 'third', 'live']),
    LOG_LEVEL: 'info',
  });
  try {
    const latest = await load(`${gateway.url}/trpc/markets.latest`, 50);
    const now = Date.now();
    const candleInput = encodeURIComponent(
      JSON.stringify({
        source: 'default/sim',
        symbol: 'BTC',
        interval: '1h',
        from: new Date(now - 30 * DAY).toISOString(),
        to: new Date(now).toISOString(),
      }),
    );
    const candles = await load(`${gateway.url}/trpc/markets.candles?input=${candleInput}`, 10);
    const live = await tickToClient(gateway.url, infra.nats.url, namespace);
    const js = dashboardJsGzipBytes();
    const result = {
      bench: 'gateway',
      latestPrices: latest,
      candles30d1h: candles,
      tickToSseClient: { ticksPerSecond: TICKS_PER_SECOND, ...live },
      dashboardJsGzipKb: js.totalKb,
      largestPageJsGzipKb: js.largestPageKb,
      machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
      date: new Date().toISOString().slice(0, 10),
    };
    process.stdout.write(`${JSON.stringify(result)}\n\n`);
    const rows: [string, string][] = [
      [
        'markets.latest',
        `${latest.requestsPerSec.toLocaleString('en')} req/s, p50 ${latest.p50Ms} ms, p99 ${latest.p99Ms} ms`,
      ],
      [
        'candles 30 d × 1 h',
        `${candles.requestsPerSec.toLocaleString('en')} req/s, p50 ${candles.p50Ms} ms, p99 ${candles.p99Ms} ms`,
      ],
      [
        'tick → SSE client',
        `p50 ${live.p50Ms} ms, p99 ${live.p99Ms} ms (${live.received}/${live.sent} at ${TICKS_PER_SECOND}/s)`,
      ],
      ['dashboard JS (gzip)', `${js.totalKb} KB total, largest page ${js.largestPageKb} KB`],
    ];
    for (const [name, value] of rows) process.stdout.write(`  ${name.padEnd(22)} ${value}\n`);
  } finally {
    await gateway.stop();
  }
} finally {
  await deleteStreams(jsm, topology(namespace));
  await nc.close();
  await dropDatabase(infra.postgres.adminUrl, dbName);
  await infra.stop();
}
