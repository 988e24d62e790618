import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connectBus, openHeartbeats, topology, type NatsConnection } from '@cryptoviz/bus';
import { HeartbeatIndex } from './heartbeat-index.ts';
import { ConsumerLag } from './lag.ts';

export interface Bus {
  heartbeats: HeartbeatIndex;
  /** Pending messages of the writers' shared consumer (for scaling writers). */
  writerLag(): Promise<number | undefined>;
  close(): Promise<void>;
}

/** The bus as of now: undefined while NATS has not been reached yet. */
export type CurrentBus = () => Bus | undefined;

/** The controller's view of JetStream: heartbeats for status, the writers' lag for scaling. */
export async function connectControllerBus(
  url: string,
  namespace: string,
  name: string,
  writerConsumer = 'writer',
): Promise<Bus> {
  const nc: NatsConnection = await connectBus(url, name);
  try {
    const topo = topology(namespace);
    const jsm = await jetstreamManager(nc);
    const heartbeats = new HeartbeatIndex();
    await heartbeats.start(await openHeartbeats(jetstream(nc), topo));
    const lag = new ConsumerLag(jsm);
    return {
      heartbeats,
      writerLag: () => lag.pending(topo.streams.ticks, topo.consumer(writerConsumer)),
      async close() {
        heartbeats.stop();
        await nc.drain().catch(() => undefined);
      },
    };
  } catch (err) {
    // Connected but not usable (no JetStream, no bucket yet): a retry starts from scratch.
    await nc.close().catch(() => undefined);
    throw err;
  }
}
