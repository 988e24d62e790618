import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { z } from 'zod';
import { decodeJson, encodeJson } from './codec.ts';
import type { Topology } from './topology.ts';

export const heartbeatSchema = z.object({
  id: z.string(),
  role: z.enum(['fetcher', 'writer', 'predictor', 'controller', 'gateway']),
  /** The key (`namespace/name`) of the CryptoSource or PredictionModel it serves, if any. */
  resource: z.string().optional(),
  startedAt: z.string(),
  lastSeen: z.string(),
  counters: z.record(z.string(), z.number()),
  /** Role-specific facts for status (last error class, breaker state, …). Never secrets. */
  details: z.record(z.string(), z.unknown()).default({}),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

/** A worker that misses this many seconds of beats is gone; the bucket forgets it. */
export const HEARTBEAT_TTL_MS = 120_000;

export async function openHeartbeats(js: JetStreamClient, topo: Topology): Promise<KV> {
  return new Kvm(js).create(topo.heartbeatBucket, {
    history: 1,
    ttl: HEARTBEAT_TTL_MS,
    storage: 'file',
  });
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

/** One worker's last beat, read by its key (no consumer, unlike listing the bucket). */
export async function readHeartbeat(
  kv: KV,
  worker: Pick<Heartbeat, 'role' | 'id'>,
): Promise<Heartbeat | undefined> {
  const entry = await kv.get(heartbeatKey(worker));
  if (!entry || entry.operation !== 'PUT') return undefined;
  const decoded = decodeJson(heartbeatSchema, entry.value);
  return decoded.ok ? decoded.value : undefined;
}

export async function listHeartbeats(kv: KV): Promise<Heartbeat[]> {
  // A key that beats again while the listing runs is listed again: each worker once.
  const keys = new Set<string>();
  for await (const key of await kv.keys()) keys.add(key);
  const beats: Heartbeat[] = [];
  for (const key of keys) {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT') continue;
    const decoded = decodeJson(heartbeatSchema, entry.value);
    if (decoded.ok) beats.push(decoded.value);
  }
  return beats;
}

export interface HeartbeatLoop {
  /** Stops beating and removes the worker's key: a stopped worker is gone, not stale. */
  stop(): Promise<void>;
}

/**
 * Beats every `intervalMs` with fresh counters and details. A failed beat (NATS away) is
 * skipped, never fatal: the next one catches up.
 */
export function startHeartbeat(
  kv: KV,
  identity: Pick<Heartbeat, 'id' | 'role' | 'resource'>,
  read: () => Pick<Heartbeat, 'counters' | 'details'>,
  intervalMs = 5_000,
): HeartbeatLoop {
  const startedAt = new Date().toISOString();
  const beat = () =>
    putHeartbeat(kv, { ...identity, startedAt, lastSeen: new Date().toISOString(), ...read() });
  void beat().catch(() => undefined);
  const timer = setInterval(() => void beat().catch(() => undefined), intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await deleteHeartbeat(kv, identity).catch(() => undefined);
    },
  };
}

/** A worker's status as a heartbeat: the named counts are counters, the rest details. */
export function heartbeatOf<S extends object>(
  status: S,
  counterKeys: readonly (keyof S & string)[],
): Pick<Heartbeat, 'counters' | 'details'> {
  const counters: Record<string, number> = {};
  const details: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(status)) {
    if (counterKeys.includes(key as keyof S & string) && typeof value === 'number') {
      counters[key] = value;
    } else {
      details[key] = value;
    }
  }
  return { counters, details };
}
