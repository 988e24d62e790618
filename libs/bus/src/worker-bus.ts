import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { connectBus, type NatsConnection } from './connection.ts';
import {
  openHeartbeats,
  startHeartbeat,
  type HeartbeatLoop,
  type HeartbeatReport,
  type HeartbeatRole,
} from './heartbeats.ts';
import { waitForBusInfrastructure } from './infrastructure.ts';
import { topology, type Topology } from './topology.ts';

/** What every worker needs from NATS: a connection, its namespace's streams, and heartbeats. */
export interface WorkerBus {
  nc: NatsConnection;
  js: JetStreamClient;
  topo: Topology;
  heartbeat<R extends HeartbeatRole>(
    identity: { role: R; resource?: string },
    read: () => HeartbeatReport<R>,
  ): HeartbeatLoop;
  /** Stops the heartbeats (removing the worker's key) and drains the connection. */
  close(): Promise<void>;
}

export async function openWorkerBus(
  config: { NATS_URL: string; CRYPTOVIZ_NAMESPACE: string; WORKER_ID: string },
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<WorkerBus> {
  const nc = await connectBus(config.NATS_URL, config.WORKER_ID, log);
  const topo = topology(config.CRYPTOVIZ_NAMESPACE);
  // The streams and the bucket are the controller's: a worker waits for them, never declares.
  await waitForBusInfrastructure(await jetstreamManager(nc), topo, { log: (m) => log.warn(m) });
  const js = jetstream(nc);
  const kv = await openHeartbeats(js, topo);
  const loops: HeartbeatLoop[] = [];
  return {
    nc,
    js,
    topo,
    heartbeat(identity, read) {
      const loop = startHeartbeat(kv, { ...identity, id: config.WORKER_ID }, read, {
        onRefused: (reason) => log.warn(reason),
      });
      loops.push(loop);
      return loop;
    },
    async close() {
      await Promise.all(loops.map((loop) => loop.stop()));
      await nc.drain();
    },
  };
}
