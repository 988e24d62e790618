import type { JetStreamManager } from '@nats-io/jetstream';
import type { Topology } from './topology.ts';

export interface ConsumerLag {
  stream: string;
  consumer: string;
  /** Messages in the stream the consumer has not been sent yet. */
  pending: number;
  /** Sent, not yet acknowledged (being worked on, or about to be redelivered). */
  ackPending: number;
  redelivered: number;
  /** Sequence of the last message the consumer acknowledged. */
  ackFloor: number;
}

/**
 * How far behind each durable consumer of the install's streams is. Ephemeral consumers
 * (live views, ordered readers) come and go and are left out.
 */
export async function consumerLag(jsm: JetStreamManager, topo: Topology): Promise<ConsumerLag[]> {
  const lags: ConsumerLag[] = [];
  for (const stream of [topo.streams.ticks, topo.streams.predictions]) {
    const consumers = await jsm.consumers
      .list(stream)
      .next()
      .catch(() => []);
    for (const info of consumers) {
      if (!info.config.durable_name) continue;
      lags.push({
        stream,
        consumer: info.name,
        pending: info.num_pending,
        ackPending: info.num_ack_pending,
        redelivered: info.num_redelivered,
        ackFloor: info.ack_floor.stream_seq,
      });
    }
  }
  return lags;
}
