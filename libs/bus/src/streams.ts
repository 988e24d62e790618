import { nanos } from '@nats-io/nats-core';
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { heartbeatStream } from './heartbeats.ts';
import type { Topology } from './topology.ts';

const DAY_MS = 86_400_000;
const MIB = 1024 * 1024;

export interface StreamLimits {
  ticksMaxAgeMs: number;
  ticksMaxBytes: number;
  predictionsMaxAgeMs: number;
  predictionsMaxBytes: number;
  dlqMaxAgeMs: number;
  dlqMaxBytes: number;
  /** Long enough to cover a publisher's retries; short enough that the index stays small. */
  duplicateWindowMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  ticksMaxAgeMs: 7 * DAY_MS,
  ticksMaxBytes: 2048 * MIB,
  predictionsMaxAgeMs: 30 * DAY_MS,
  predictionsMaxBytes: 512 * MIB,
  dlqMaxAgeMs: 30 * DAY_MS,
  dlqMaxBytes: 256 * MIB,
  duplicateWindowMs: 120_000,
};

export function streamConfigs(
  topo: Topology,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
): (Partial<StreamConfig> & { name: string })[] {
  const base = {
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(limits.duplicateWindowMs),
    num_replicas: 1,
  };
  const prefix = topo.namespace ? `${topo.namespace}.` : '';
  return [
    {
      ...base,
      name: topo.streams.ticks,
      subjects: [`${prefix}ticks.>`],
      max_age: nanos(limits.ticksMaxAgeMs),
      max_bytes: limits.ticksMaxBytes,
      description: 'Market ticks: ticks.<source>.<symbol>',
    },
    {
      ...base,
      name: topo.streams.predictions,
      subjects: [`${prefix}predictions.>`],
      max_age: nanos(limits.predictionsMaxAgeMs),
      max_bytes: limits.predictionsMaxBytes,
      description: 'Forecasts: predictions.<model>.<symbol>',
    },
    {
      ...base,
      name: topo.streams.dlq,
      subjects: [`${prefix}dlq.>`],
      max_age: nanos(limits.dlqMaxAgeMs),
      max_bytes: limits.dlqMaxBytes,
      description: 'Messages that failed validation, with the reason in a header',
    },
  ];
}

/**
 * What declaring does to a stream that exists: bring it to this version's settings (a starting
 * owner) or leave it as it is (a running owner re-creating only what went missing).
 */
export type ExistingStreams = 'update' | 'keep';

/**
 * A stream's info, or undefined when JetStream says it does not exist. Any other failure (no
 * server, a timeout) is thrown: taking it for "missing" would try to create the stream while
 * JetStream cannot answer, and report the wrong cause.
 */
export async function streamInfoOrMissing(
  jsm: JetStreamManager,
  name: string,
): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) {
      return undefined;
    }
    throw err;
  }
}

/**
 * Creates the streams, or brings existing ones to the declared limits. The owner's part only
 * (see declareBusInfrastructure): a worker that ran this would write its version's settings
 * over the owner's.
 */
export async function declareStreams(
  jsm: JetStreamManager,
  topo: Topology,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  existing: ExistingStreams = 'update',
): Promise<void> {
  for (const config of streamConfigs(topo, limits)) {
    const name = config.name;
    const info = await streamInfoOrMissing(jsm, name);
    if (!info) {
      await jsm.streams.add(config).catch(async (err: unknown) => {
        // Another owner (a second controller starting) may have created it meanwhile.
        if (!(await streamInfoOrMissing(jsm, name))) throw err;
      });
    } else if (existing === 'update') {
      await jsm.streams.update(name, { ...info.config, ...config });
    }
  }
}

export async function deleteStreams(jsm: JetStreamManager, topo: Topology): Promise<void> {
  for (const name of Object.values(topo.streams)) {
    await jsm.streams.delete(name).catch(() => undefined);
  }
  await jsm.streams.delete(heartbeatStream(topo)).catch(() => undefined);
}
