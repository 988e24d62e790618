import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import {
  connectBus,
  declareBusInfrastructure,
  DEFAULT_STREAM_LIMITS,
  openHeartbeats,
  topology,
  type NatsConnection,
  type Topology,
} from '@cryptoviz/bus';
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

/** How often the controller looks whether its streams and bucket are still there. */
const RECHECK_MS = 60_000;

export interface ControllerBusOptions {
  writerConsumer?: string;
  /** Between two rechecks; shorter only in tests, which cannot wait a minute. */
  recheckMs?: number;
}

/**
 * Declares again what is missing (a NATS restarted without its data, a stream deleted by
 * hand), on every reconnect and every minute. What exists is left alone: only a starting
 * controller writes its settings, so an old replica still running during a rollout never
 * writes its version's over the new one's.
 */
function keepDeclared(
  nc: NatsConnection,
  jsm: JetStreamManager,
  topo: Topology,
  warn: (message: string) => void,
  recheckMs: number,
): () => void {
  // A failed look (NATS away again) is said and tried at the next one: workers wait meanwhile.
  const recheck = () =>
    declareBusInfrastructure(jsm, topo, DEFAULT_STREAM_LIMITS, 'keep').catch((err: unknown) => {
      warn(`could not re-declare the JetStream streams and bucket: ${String(err)}`);
    });
  const timer = setInterval(() => void recheck(), recheckMs);
  timer.unref();
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'reconnect') await recheck();
    }
  })();
  return () => clearInterval(timer);
}

/**
 * The controller's view of JetStream: heartbeats for status, the writers' lag for scaling. The
 * controller owns the streams and the heartbeat bucket: it declares them here, at every start.
 */
export async function connectControllerBus(
  url: string,
  namespace: string,
  name: string,
  warn: (message: string) => void,
  { writerConsumer = 'writer', recheckMs = RECHECK_MS }: ControllerBusOptions = {},
): Promise<Bus> {
  const nc: NatsConnection = await connectBus(url, name);
  try {
    const topo = topology(namespace);
    const jsm = await jetstreamManager(nc);
    await declareBusInfrastructure(jsm, topo);
    const heartbeats = new HeartbeatIndex();
    await heartbeats.start(await openHeartbeats(jetstream(nc), topo));
    const stopDeclaring = keepDeclared(nc, jsm, topo, warn, recheckMs);
    const lag = new ConsumerLag(jsm);
    return {
      heartbeats,
      writerLag: () => lag.pending(topo.streams.ticks, topo.consumer(writerConsumer)),
      async close() {
        stopDeclaring();
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
