import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { deadLetter, deadLetterFromMessage, type Topology } from '@cryptoviz/bus';
import type { Tick } from '@cryptoviz/market';
import type { Logger } from '@cryptoviz/runtime';
import type { BatchStore } from './batch-store.ts';
import type { WriterMetrics } from './metrics.ts';

/** A message with what it holds: decoded once, on arrival, so batches count ticks. */
export interface Received {
  msg: JsMsg;
  ticks: Tick[];
  problems: string[];
}

export interface WriterCounters {
  stored: number;
  duplicate: number;
  deadLettered: number;
  batches: number;
}

export interface BatchWriterParts {
  js: JetStreamClient;
  topo: Topology;
  log: Logger;
  metrics: WriterMetrics;
  store: BatchStore;
  counts: WriterCounters;
  onCommitted?: ((batch: readonly JsMsg[], committedAtMs: number) => void) | undefined;
}

/**
 * Stores a batch, dead-letters the messages with a tick the database refused or that could
 * not be read, then acks the whole batch: ack only after commit.
 */
export async function writeBatch(parts: BatchWriterParts, batch: Received[]): Promise<void> {
  const { js, topo, log, metrics, counts } = parts;
  if (batch.length === 0) return;
  const started = performance.now();
  const acked = batch.map((r) => r.msg);
  const ticks = batch.flatMap((r) => r.ticks);
  const { stored, rejected } = await parts.store.store(ticks, acked);
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
  parts.onCommitted?.(acked, committedAt);
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
