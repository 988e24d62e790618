import { jetstream, type JsMsg } from '@nats-io/jetstream';
import type pg from 'pg';
import { decodeTicks, type NatsConnection, type Topology } from '@cryptoviz/bus';
import type { Logger, Registry } from '@cryptoviz/runtime';
import { BatchStore } from './batch-store.ts';
import { writeBatch, type Received, type WriterCounters } from './batch-writer.ts';
import { Batcher } from './batcher.ts';
import { writerMetrics } from './metrics.ts';
import { consumeTicks } from './ticks-consumer.ts';

export type { WriterCounters } from './batch-writer.ts';

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

export interface Writer {
  isReady(): boolean;
  stop(): Promise<void>;
  counters(): WriterCounters;
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
  const messages = await consumeTicks(nc, topo, options);
  const store = new BatchStore(pool, log, metrics);
  const parts = { js, topo, log, metrics, store, counts, onCommitted: options.onCommitted };
  const batcher = new Batcher<Received>({
    batchRows: options.batchRows,
    batchMaxMs: options.batchMaxMs,
    concurrency: options.concurrency,
    rowsOf: (received) => received.ticks.length,
    write: (batch) => writeBatch(parts, batch),
    onFailed: (err) => {
      // Unacked messages come back after ack_wait; nothing is lost.
      log.error({ err: err.message }, 'batch failed; JetStream will redeliver it');
    },
  });
  const loop = (async () => {
    for await (const msg of messages) {
      const { ticks, problems } = decodeTicks(topo, msg.subject, msg.data);
      await batcher.add({ msg, ticks, problems });
    }
    await batcher.flush();
  })();

  return {
    isReady: () => !nc.isClosed() && !store.waitsForDatabase,
    counters: () => ({ ...counts }),
    async stop() {
      await messages.close();
      await loop;
      await batcher.drained();
    },
  };
}
