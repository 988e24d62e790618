/**
 * Recovery time of the data plane after each fault of the fault suite (test/faults/), on the
 * same harness: a deterministic replay through real worker processes under the local backend,
 * with a nats-server and a PostgreSQL of its own. For each fault, on a fresh pipeline, the fault
 * lands once 30 % of the replay is stored, and the bench times:
 *  - resumed: from the kill (for a server: from its restart) to the first progress that only
 *    what recovered can have made: the killed fetcher's successor publishes, the writer's
 *    commits ticks, the predictor's publishes forecasts; after a server restart, ticks are
 *    committed again. Times are JetStream's and the database's own (the same machine's clock);
 *  - all ticks, all forecasts: from the fault to every expected tick, every expected forecast
 *    stored ("never": not within 90 s).
 * Servers stay down for BENCH_FAULT_DOWN_S (default 5 s) before they are restarted.
 * Prints one JSON line, then a table for people.
 */
import { cpus } from 'node:os';
import { SOURCE, startPipeline, type Pipeline } from '../../test/faults/pipeline.ts';

const DOWN_MS = Number(process.env.BENCH_FAULT_DOWN_S ?? 5) * 1000;
const SHARE = 0.3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Polls `probe` until `check` holds; resolves with the value that held. */
async function until<T>(
  probe: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 180_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && check(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** When JetStream stored the newest message of a stream (or of one subject), ms. */
async function lastStoredAt(p: Pipeline, stream: string, subject?: string): Promise<number> {
  if (subject) {
    const msg = await p.jsm.streams.getMessage(stream, { last_by_subj: subject });
    return msg ? msg.time.getTime() : 0;
  }
  return Date.parse((await p.jsm.streams.info(stream)).state.last_ts);
}

/** When the writers last committed ticks, by the database's clock (this machine's). */
async function lastWrittenAt(p: Pipeline): Promise<number> {
  const { rows } = await p.pool.query<{ at: Date | null }>(
    'SELECT max(received_at) AS at FROM latest_ticks',
  );
  return rows[0]!.at?.getTime() ?? 0;
}

const storedForecasts = async (p: Pipeline) =>
  Number((await p.pool.query<{ n: string }>('SELECT count(*) AS n FROM predictions')).rows[0]!.n);

interface Fault {
  name: string;
  /**
   * Injects the fault; resolves with when recovery is timed from and the instant after which
   * progress can only come from what recovered (a worker's successor, a restarted server).
   */
  inject(p: Pipeline): Promise<{ at: number; after: number }>;
  /** When the work the fault stopped last made progress, ms. */
  progressAt(p: Pipeline): Promise<number>;
}

/** kill -9 of a worker; its successor is the process the backend starts in its place. */
const kill = (workload: string, progressAt: Fault['progressAt']): Fault => ({
  name: `kill -9 ${workload}`,
  async inject(p) {
    const pid = await p.kill(workload);
    const at = Date.now();
    await until(
      async () => p.pidOf(workload),
      (now) => now !== undefined && now !== pid,
    );
    return { at, after: Date.now() };
  },
  progressAt,
});

/** A server killed, kept down, and started again on the same data. */
const outage = (name: string, server: (p: Pipeline) => Pipeline['nats' | 'postgres']): Fault => ({
  name: `${name} down ${DOWN_MS / 1000} s`,
  async inject(p) {
    await server(p).crash();
    await sleep(DOWN_MS);
    await server(p).start();
    const at = Date.now();
    return { at, after: at };
  },
  progressAt: lastWrittenAt,
});

const FAULTS: Fault[] = [
  kill('fetcher-replay-faults-0', (p) => lastStoredAt(p, 'TICKS', `ticks.default.${SOURCE}.BTC`)),
  kill('writer', lastWrittenAt),
  kill('predictor-holt-faults-0', (p) => lastStoredAt(p, 'PREDICTIONS')),
  outage('nats-server', (p) => p.nats),
  outage('PostgreSQL', (p) => p.postgres),
];

const results = [];
for (const fault of FAULTS) {
  log(`${fault.name}…`);
  const p = await startPipeline({ bars: 1_000, replaySeconds: 20 });
  try {
    await p.start();
    const wanted = Math.ceil(p.expected.ticks.size * SHARE);
    await until(
      () => p.storedTickCount(),
      (n) => n >= wanted,
    );
    const { at, after } = await fault.inject(p);
    const resumed = await until(
      () => fault.progressAt(p),
      (t) => t > after,
    );
    // Forecasts are timed apart from ticks: they may be the one thing that never comes back.
    const complete = (probe: () => Promise<boolean>) =>
      until(probe, Boolean, 90_000).then(
        () => Date.now() - at,
        () => null,
      );
    const ticksCompleteMs = await complete(
      async () => (await p.storedTickCount()) >= p.expected.ticks.size,
    );
    const forecastsCompleteMs = await complete(
      async () => (await storedForecasts(p)) >= p.expected.predictions.size,
    );
    results.push({
      fault: fault.name,
      resumedMs: resumed - at,
      ticksCompleteMs,
      forecastsCompleteMs,
    });
  } finally {
    await p.stop();
  }
}

const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
process.stdout.write(
  `${JSON.stringify({ bench: 'faults', date: new Date().toISOString(), machine, downMs: DOWN_MS, results })}\n\n`,
);
process.stdout.write(
  `Recovery after each fault (1,000 hourly bars × 2 symbols replayed in 20 s; fault at ${SHARE * 100} %)\n`,
);
process.stdout.write(
  'fault                             resumed ms  all ticks ms  all forecasts ms\n',
);
const cell = (ms: number | null, width: number) => String(ms ?? 'never').padStart(width);
for (const row of results) {
  process.stdout.write(
    `${row.fault.padEnd(32)}${cell(row.resumedMs, 12)}${cell(row.ticksCompleteMs, 14)}${cell(row.forecastsCompleteMs, 18)}\n`,
  );
}
