import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import pRetry from 'p-retry';
import type pg from 'pg';
import {
  deadLetter,
  deadLetterFromMessage,
  decodeTicks,
  type NatsConnection,
  type Topology,
} from '@cryptoviz/bus';
import type { Tick } from '@cryptoviz/market';
import { Counter, Gauge, Histogram, type Logger, type Registry } from '@cryptoviz/runtime';
import { insertTicks, isTransientDatabaseError } from '@cryptoviz/store';

export interface WriterOptions {
  nc: NatsConnection;
  topo: Topology;
  pool: pg.Pool;
  log: Logger;
  registry: Registry;
  /** Durable consumer name; writers sharing it share the work. */
  consumerName: string;
  /** A batch is written when it has this many rows… */
  batchRows: number;
  /** …or when its oldest message has waited this long. */
  batchMaxMs: number;
  /** Seconds JetStream waits for an ack before redelivering. */
  ackWaitS: number;
  /** Batches written at the same time, each on its own connection. */
  concurrency: number;
  /** Observes each committed batch (benchmarks measure publish-to-commit latency with it). */
  onCommitted?: (batch: readonly JsMsg[], committedAtMs: number) => void;
}

export interface WriterCounters {
  stored: number;
  duplicate: number;
  deadLettered: number;
  batches: number;
}

export interface Writer {
  isReady(): boolean;
  stop(): Promise<void>;
  counters(): WriterCounters;
}

function writerMetrics(registry: Registry) {
  return {
    ticks: new Counter({
      name: 'cryptoviz_writer_ticks_total',
      help: 'Ticks handled, by outcome (stored, duplicate, dead_lettered)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    batches: new Counter({
      name: 'cryptoviz_writer_batches_total',
      help: 'Batches committed',
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'cryptoviz_writer_batch_seconds',
      help: 'Time to commit one batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'cryptoviz_writer_commit_latency_seconds',
      help: 'From the oldest tick of a batch entering JetStream to the batch commit',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    databaseDown: new Gauge({
      name: 'cryptoviz_writer_database_retrying',
      help: '1 while the writer is waiting for the database to come back',
      registers: [registry],
    }),
  };
}

/**
 * JetStream → PostgreSQL. At-least-once delivery (ack only after commit) plus idempotent
 * inserts (ON CONFLICT on the natural key) make every tick land exactly once in the table.
 */
export async function startWriter(options: WriterOptions): Promise<Writer> {
  const { nc, topo, pool, log } = options;
  const metrics = writerMetrics(options.registry);
  const counts: WriterCounters = { stored: 0, duplicate: 0, deadLettered: 0, batches: 0 };
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const durable = topo.consumer(options.consumerName);
  const config = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(options.ackWaitS * 1000),
    max_ack_pending: Math.max(options.batchRows * (options.concurrency + 2), 1000),
    filter_subject: topo.ticksFilter(),
  };
  await jsm.consumers.add(topo.streams.ticks, config).catch(async () => {
    await jsm.consumers.update(topo.streams.ticks, durable, config);
  });
  const consumer = await js.consumers.get(topo.streams.ticks, durable);
  // The pull buffer is counted in messages, which hold 1 to 100 ticks: a quarter of the
  // in-flight rows keeps single-tick messages flowing without buffering hundreds of
  // megabytes of full ones.
  const messages = await consumer.consume({
    max_messages: Math.max(1_000, Math.ceil((options.batchRows * (options.concurrency + 1)) / 4)),
  });
  /** Batches waiting for the database to come back: the writer is unready while any is. */
  const waiting = new Set<JsMsg[]>();

  async function store(
    ticks: Tick[],
    batch: JsMsg[],
  ): Promise<{ stored: number; rejected: Map<Tick, string> }> {
    const rejected = new Map<Tick, string>();
    try {
      const stored = await pRetry(() => insertTicks(pool, ticks), {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: 200,
        maxTimeout: 5_000,
        shouldRetry: ({ error }) => isTransientDatabaseError(error),
        onFailedAttempt: ({ error, attemptNumber }) => {
          if (!isTransientDatabaseError(error)) return;
          waiting.add(batch);
          metrics.databaseDown.set(1);
          // Keep JetStream from redelivering the batch to another writer while we wait.
          for (const msg of batch) msg.working();
          if (attemptNumber === 1 || attemptNumber % 10 === 0) {
            log.warn(
              { attempt: attemptNumber, err: error.message },
              'database unavailable; retrying',
            );
          }
        },
      });
      return { stored, rejected };
    } catch (err) {
      // The database refused the data itself: find the rows it refuses, keep the rest.
      log.warn(
        { err: (err as Error).message },
        'batch refused by the database; writing row by row',
      );
      let stored = 0;
      for (const tick of ticks) {
        try {
          stored += await insertTicks(pool, [tick]);
        } catch (rowErr) {
          if (isTransientDatabaseError(rowErr)) throw rowErr;
          rejected.set(tick, `database refused the tick: ${(rowErr as Error).message}`);
        }
      }
      return { stored, rejected };
    } finally {
      if (waiting.delete(batch) && waiting.size === 0) {
        log.info('database reachable again');
        metrics.databaseDown.set(0);
      }
    }
  }

  /** A message with what it holds: decoded once, on arrival, so batches count ticks. */
  interface Received {
    msg: JsMsg;
    ticks: Tick[];
    problems: string[];
  }

  async function writeBatch(batch: Received[]): Promise<void> {
    if (batch.length === 0) return;
    const started = performance.now();
    const acked = batch.map((r) => r.msg);
    const ticks = batch.flatMap((r) => r.ticks);
    const { stored, rejected } = await store(ticks, acked);
    let deadTicks = 0;
    for (const { msg, ticks: held, problems } of batch) {
      const refused = held.flatMap((tick) => rejected.get(tick) ?? []);
      const reasons = [...problems, ...refused];
      if (reasons.length === 0) continue;
      // A message goes to the DLQ whole, with every reason; its valid ticks are stored
      // already, and storing them again when it is replayed is harmless.
      deadTicks += reasons.length;
      const reason =
        reasons.length === 1
          ? reasons[0]!
          : `${reasons.length} problems: ${reasons.slice(0, 5).join('; ')}${reasons.length > 5 ? '; …' : ''}`;
      await deadLetter(js, topo, deadLetterFromMessage('writer', msg, reason));
      log.warn({ subject: msg.subject, seq: msg.seq, reason }, 'dead-lettered a tick message');
    }
    const committedAt = Date.now();
    for (const msg of acked) msg.ack();
    // The oldest message bounds the batch's latency; observing every message costs more
    // than the metric is worth at tens of thousands of ticks a second.
    const oldest = acked[0]!.info.timestampNanos / 1e6;
    metrics.latency.observe(Math.max(0, committedAt - oldest) / 1000);
    options.onCommitted?.(acked, committedAt);
    const duplicates = ticks.length - rejected.size - stored;
    counts.stored += stored;
    counts.duplicate += duplicates;
    counts.deadLettered += deadTicks;
    counts.batches++;
    metrics.ticks.inc({ outcome: 'stored' }, stored);
    metrics.ticks.inc({ outcome: 'duplicate' }, duplicates);
    metrics.ticks.inc({ outcome: 'dead_lettered' }, deadTicks);
    metrics.batches.inc();
    metrics.batchSeconds.observe((performance.now() - started) / 1000);
  }

  // Up to `concurrency` batches are written at once (PostgreSQL uses a core per connection);
  // the consumer keeps pulling meanwhile, and waits only when every slot is busy.
  let pending: Received[] = [];
  let pendingTicks = 0;
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();
  const flush = async (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    pendingTicks = 0;
    if (batch.length === 0) return;
    const write: Promise<void> = writeBatch(batch)
      .catch((err: Error) => {
        // Unacked messages come back after ack_wait; nothing is lost.
        log.error({ err: err.message }, 'batch failed; JetStream will redeliver it');
      })
      .finally(() => inFlight.delete(write));
    inFlight.add(write);
    while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
  };
  const loop = (async () => {
    for await (const msg of messages) {
      const { ticks, problems } = decodeTicks(topo, msg.subject, msg.data);
      pending.push({ msg, ticks, problems });
      pendingTicks += Math.max(1, ticks.length);
      if (pending.length === 1) timer = setTimeout(() => void flush(), options.batchMaxMs);
      if (pendingTicks >= options.batchRows) await flush();
    }
    await flush();
  })();

  return {
    isReady: () => !nc.isClosed() && waiting.size === 0,
    counters: () => ({ ...counts }),
    async stop() {
      await messages.close();
      await loop;
      await Promise.all(inFlight);
    },
  };
}
