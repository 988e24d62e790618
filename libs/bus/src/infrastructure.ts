import type { JetStreamManager } from '@nats-io/jetstream';
import { waitUntilReady, type WaitOptions } from '@cryptoviz/runtime/wait';
import { declareHeartbeatBucket, heartbeatStream } from './heartbeats.ts';
import {
  declareStreams,
  DEFAULT_STREAM_LIMITS,
  streamInfoOrMissing,
  type ExistingStreams,
  type StreamLimits,
} from './streams.ts';
import type { Topology } from './topology.ts';

/**
 * The streams and the heartbeat bucket, as one version of the code wants them. Called by their
 * one owner, the controller (in a cluster and under `cryptoviz up`), and by tests and benches
 * that stand in for it; workers and the gateway only wait for them (waitForBusInfrastructure),
 * so a rolling upgrade never has two versions writing their settings over each other's.
 */
export async function declareBusInfrastructure(
  jsm: JetStreamManager,
  topo: Topology,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  existing: ExistingStreams = 'update',
): Promise<void> {
  await declareStreams(jsm, topo, limits, existing);
  // A bucket that exists is left as it is either way (the client's create only adds).
  await declareHeartbeatBucket(jsm.jetstream(), topo);
}

/** What of the owner's streams and bucket is not there yet; undefined when all are. */
export async function missingBusInfrastructure(
  jsm: JetStreamManager,
  topo: Topology,
): Promise<string | undefined> {
  const missing: string[] = [];
  for (const stream of [...Object.values(topo.streams), heartbeatStream(topo)]) {
    try {
      if (!(await streamInfoOrMissing(jsm, stream))) missing.push(stream);
    } catch (err) {
      return `JetStream does not answer (${(err as Error).message})`;
    }
  }
  return missing.length > 0 ? `no JetStream stream ${missing.join(', ')} yet` : undefined;
}

/**
 * Waits until the owner has declared the streams and the heartbeat bucket, saying once (then
 * every minute) what is missing. Never creates or changes them.
 */
export async function waitForBusInfrastructure(
  jsm: JetStreamManager,
  topo: Topology,
  options: Omit<WaitOptions, 'remedy'>,
): Promise<void> {
  await waitUntilReady(
    async () => {
      const waitingFor = await missingBusInfrastructure(jsm, topo);
      return waitingFor ? { ready: false, waitingFor } : { ready: true, value: undefined };
    },
    { ...options, remedy: 'the controller declares them (`cryptoviz up` runs one locally)' },
  );
}
