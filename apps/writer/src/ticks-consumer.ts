import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { NatsConnection, Topology } from '@cryptoviz/bus';

export interface TicksConsumerOptions {
  /** Durable consumer name; writers sharing it share the work. */
  consumerName: string;
  /** Seconds JetStream waits for an ack before redelivering. */
  ackWaitS: number;
  batchRows: number;
  concurrency: number;
}

/**
 * The writers' durable consumer of every tick subject, brought to this writer's settings, and
 * its messages: enough in flight to fill every batch slot.
 */
export async function consumeTicks(
  nc: NatsConnection,
  topo: Topology,
  options: TicksConsumerOptions,
): Promise<ConsumerMessages> {
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
  return consumer.consume({
    max_messages: Math.max(1_000, Math.ceil((options.batchRows * (options.concurrency + 1)) / 4)),
  });
}
