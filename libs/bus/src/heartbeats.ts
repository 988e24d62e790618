import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { z } from 'zod';
import { scoreMetricsSchema } from '@cryptoviz/forecast';
import { providerStatsSchema } from '@cryptoviz/market';
import { skillVerdictSchema } from '@cryptoviz/resources';
import { decodeJson, encodeJson } from './codec.ts';
import type { Topology } from './topology.ts';

/** What every beat says about who beats. */
const beatIdentity = {
  id: z.string(),
  /** The key (`namespace/name`) of the CryptoSource or PredictionModel it serves, if any. */
  resource: z.string().optional(),
  startedAt: z.string(),
  lastSeen: z.string(),
};

const count = z.number().int().min(0);
/** An ISO-8601 time, or null before the first. */
const timeOrNull = z.string().nullable();

/*
 * One schema per role: counters are the running counts (rates are taken from them), details the
 * facts a status reads. A field added later must be optional, or readers of the older version
 * refuse the new beats and a rolling upgrade hides the new workers; unknown fields are dropped,
 * and a kind or verdict from a newer vocabulary is read as unknown rather than refused.
 */

export const fetcherBeatSchema = z.object({
  ...beatIdentity,
  role: z.literal('fetcher'),
  counters: z.object({
    ticksPublished: count,
    duplicates: count,
    skipped: count,
    polls: count,
    consecutiveFailures: count,
    backfills: count,
    droppedTicks: count,
  }),
  details: z.object({
    symbols: z.array(z.string()),
    lastSuccessAt: timeOrNull,
    /** A ProviderErrorKind, or a newer worker's kind this reader does not know. */
    lastErrorKind: z.string().nullable(),
    /** May quote the provider (scrubbed): for logs and authenticated callers only. */
    lastErrorMessage: z.string().nullable(),
    /** The error without the provider's words: what public outputs show. */
    lastErrorSummary: z.string().nullable(),
    /** A replay without `loop` that reached its files' end: nothing more comes, by design. */
    exhausted: z.boolean(),
    newestTickTime: timeOrNull,
    heldTicks: count,
    ignoredFields: z.record(z.string(), count),
    provider: providerStatsSchema.optional(),
  }),
});

export const writerBeatSchema = z.object({
  ...beatIdentity,
  role: z.literal('writer'),
  counters: z.object({ stored: count, duplicate: count, deadLettered: count, batches: count }),
  details: z.object({}),
});

export const predictorBeatSchema = z.object({
  ...beatIdentity,
  role: z.literal('predictor'),
  counters: z.object({
    series: count,
    predictionsPublished: count,
    scored: count,
    ignoredTicks: count,
  }),
  details: z.object({
    lastPredictionAt: timeOrNull,
    /** By the clock: tells a model at work from a stuck one when forecasts are in event time. */
    lastStoredAt: timeOrNull,
    /** Share (0–1) of recent scored forecasts whose direction was right. */
    accuracy: z.number().min(0).max(1).nullable(),
    /** 1 − MAE/MAE(naive) over the same forecasts. */
    skill: z.number().nullable(),
    /** A verdict this reader does not know (a newer predictor's) is none: ignored, not trusted. */
    skillVerdict: skillVerdictSchema.nullable().catch(null),
    skillPValue: z.number().min(0).max(1).nullable(),
    /**
     * Every series' and horizon's live metrics pooled (poolScores): what the controller pools
     * again over workers. Optional: a predictor from before it had none.
     */
    scores: scoreMetricsSchema.optional(),
  }),
});

export const controllerBeatSchema = z.object({
  ...beatIdentity,
  role: z.literal('controller'),
  counters: z.object({}),
  details: z.object({}),
});

export const gatewayBeatSchema = z.object({
  ...beatIdentity,
  role: z.literal('gateway'),
  counters: z.object({ subscriptions: count }),
  details: z.object({ port: z.number().int(), readOnly: z.boolean() }),
});

export const heartbeatSchema = z.discriminatedUnion('role', [
  fetcherBeatSchema,
  writerBeatSchema,
  predictorBeatSchema,
  controllerBeatSchema,
  gatewayBeatSchema,
]);
export type Heartbeat = z.infer<typeof heartbeatSchema>;
export type HeartbeatRole = Heartbeat['role'];
export const HEARTBEAT_ROLES = heartbeatSchema.options.map((option) => option.shape.role.value);
/** The beat of one role, its counters and details typed. */
export type HeartbeatOf<R extends HeartbeatRole> = Extract<Heartbeat, { role: R }>;
/** What a worker of one role reports with each beat. */
export type HeartbeatReport<R extends HeartbeatRole> = Pick<HeartbeatOf<R>, 'counters' | 'details'>;

/** How often a worker beats. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * A worker whose last beat is older than this is not counted: not ready for the controller,
 * stale for the gateway. Six beats: a worker starved of CPU for a few seconds, or a beat
 * skipped while NATS reconnects, does not flap a resource's Ready condition (each flip is a
 * status write and an event), and a stopped worker removes its own key at once anyway.
 */
export const HEARTBEAT_FRESH_MS = 6 * HEARTBEAT_INTERVAL_MS;

/** The one freshness rule, for the controller's status and the gateway's health alike. */
export function isFreshHeartbeat(beat: Pick<Heartbeat, 'lastSeen'>, nowMs = Date.now()): boolean {
  return nowMs - Date.parse(beat.lastSeen) <= HEARTBEAT_FRESH_MS;
}

/** A worker that misses this many seconds of beats is gone; the bucket forgets it. */
export const HEARTBEAT_TTL_MS = 120_000;

/** Creates the heartbeat bucket or brings it to these settings: the owner's part only. */
export async function declareHeartbeatBucket(js: JetStreamClient, topo: Topology): Promise<KV> {
  const kv = await new Kvm(js).create(topo.heartbeatBucket, {
    history: 1,
    ttl: HEARTBEAT_TTL_MS,
    storage: 'file',
  });
  return remember(kv, js, topo);
}

/** The bucket the owner declared, as it is: binds without asking the server or changing it. */
export async function openHeartbeats(js: JetStreamClient, topo: Topology): Promise<KV> {
  return remember(await new Kvm(js).open(topo.heartbeatBucket), js, topo);
}

/** How listHeartbeats reads a bucket's keys: its stream, through a manager of the same client. */
const bucketStreams = new WeakMap<KV, { jsm: JetStreamManager; stream: string; prefix: string }>();

async function remember(kv: KV, js: JetStreamClient, topo: Topology): Promise<KV> {
  bucketStreams.set(kv, {
    jsm: await js.jetstreamManager(),
    stream: heartbeatStream(topo),
    prefix: `$KV.${topo.heartbeatBucket}.`,
  });
  return kv;
}

/** The JetStream stream behind the heartbeat bucket (a KV bucket is a stream by that name). */
export function heartbeatStream(topo: Topology): string {
  return `KV_${topo.heartbeatBucket}`;
}

function heartbeatKey(beat: Pick<Heartbeat, 'role' | 'id'>): string {
  return `${beat.role}.${beat.id.replace(/[^-/_=.a-zA-Z0-9]/g, '_')}`;
}

export async function putHeartbeat(kv: KV, beat: Heartbeat): Promise<void> {
  await kv.put(heartbeatKey(beat), encodeJson(beat));
}

export async function deleteHeartbeat(kv: KV, beat: Pick<Heartbeat, 'role' | 'id'>): Promise<void> {
  await kv.delete(heartbeatKey(beat));
}

function isOfRole<R extends HeartbeatRole>(beat: Heartbeat, role: R): beat is HeartbeatOf<R> {
  return beat.role === role;
}

/** One worker's last beat, read by its key (no consumer, unlike listing the bucket). */
export async function readHeartbeat<R extends HeartbeatRole>(
  kv: KV,
  worker: { role: R; id: string },
): Promise<HeartbeatOf<R> | undefined> {
  const entry = await kv.get(heartbeatKey(worker));
  if (!entry || entry.operation !== 'PUT') return undefined;
  const decoded = decodeJson(heartbeatSchema, entry.value);
  return decoded.ok && isOfRole(decoded.value, worker.role) ? decoded.value : undefined;
}

/** Every worker's last beat, or those of one role. */
export async function listHeartbeats(kv: KV): Promise<Heartbeat[]>;
export async function listHeartbeats<R extends HeartbeatRole>(
  kv: KV,
  role: R,
): Promise<HeartbeatOf<R>[]>;
export async function listHeartbeats(kv: KV, role?: HeartbeatRole): Promise<Heartbeat[]> {
  const beats: Heartbeat[] = [];
  const keys = await heartbeatKeys(kv);
  for (const key of keys) {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT') continue;
    const decoded = decodeJson(heartbeatSchema, entry.value);
    if (decoded.ok && (role === undefined || isOfRole(decoded.value, role))) {
      beats.push(decoded.value);
    }
  }
  return beats;
}

/**
 * Every key the bucket holds a message for, from one stream-info request. Not `kv.keys()`: its
 * consumer counts what is pending, then reads, and a beat replaced or expired in between left
 * it waiting for a message that no longer exists (a listing that never returned, once a minute
 * or so under load). Deleted keys are listed too; their reads say DEL and are skipped.
 */
async function heartbeatKeys(kv: KV): Promise<string[]> {
  const bucket = bucketStreams.get(kv);
  if (!bucket) throw new Error('listHeartbeats: open the bucket with openHeartbeats');
  const info = await bucket.jsm.streams.info(bucket.stream, { subjects_filter: '>' });
  return Object.keys(info.state.subjects ?? {}).map((subject) =>
    subject.slice(bucket.prefix.length),
  );
}

export interface HeartbeatLoop {
  /** Stops beating and removes the worker's key: a stopped worker is gone, not stale. */
  stop(): Promise<void>;
}

/**
 * Beats every `intervalMs` with fresh counters and details. A failed beat (NATS away) is
 * skipped, never fatal: the next one catches up. A beat the schema refuses (a bug) is said
 * through `onRefused`, once per reason.
 */
export function startHeartbeat<R extends HeartbeatRole>(
  kv: KV,
  identity: { id: string; role: R; resource?: string },
  read: () => HeartbeatReport<R>,
  options: { intervalMs?: number; onRefused?: (reason: string) => void } = {},
): HeartbeatLoop {
  const startedAt = new Date().toISOString();
  let lastRefusal = '';
  const beat = async () => {
    const next = { ...identity, startedAt, lastSeen: new Date().toISOString(), ...read() };
    // Checked as a reader decodes it (JSON turns a non-finite number into null): a beat
    // readers would refuse fails here, where its sender is, rather than vanishing there.
    const decoded = decodeJson(heartbeatSchema, encodeJson(next));
    if (decoded.ok) return putHeartbeat(kv, decoded.value);
    if (decoded.reason !== lastRefusal) options.onRefused?.(`heartbeat refused: ${decoded.reason}`);
    lastRefusal = decoded.reason;
  };
  void beat().catch(() => undefined);
  const timer = setInterval(
    () => void beat().catch(() => undefined),
    options.intervalMs ?? HEARTBEAT_INTERVAL_MS,
  );
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await deleteHeartbeat(kv, identity).catch(() => undefined);
    },
  };
}

/**
 * A worker's status as a heartbeat: the named counts are counters, the rest details. Passed to
 * a role's `heartbeat`, the split is checked against that role's schema when compiled.
 */
export function heartbeatOf<S extends object, K extends keyof S & string>(
  status: S,
  counterKeys: readonly K[],
): { counters: Pick<S, K>; details: Omit<S, K> } {
  const counters: Partial<Pick<S, K>> = {};
  const details: Partial<S> = { ...status };
  for (const key of counterKeys) {
    counters[key] = status[key];
    delete details[key];
  }
  return { counters: counters as Pick<S, K>, details: details as Omit<S, K> };
}
