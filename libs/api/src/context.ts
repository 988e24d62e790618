import type { KV } from '@nats-io/kv';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type pg from 'pg';
import type { Topology } from '@cryptoviz/bus';
import type { Logger } from '@cryptoviz/runtime';
import type { StorageFlavor } from '@cryptoviz/store';
import type { QueryLimits } from './query-limits.ts';
import type { IngestRate } from './health/ingest-rate.ts';
import type { SubscriptionBudget } from './live/subscription-budget.ts';
import type { DeclaredResources } from './resources/declared-resources.ts';
import type { ResourceStore } from './resources/resource-store.ts';

/** Everything procedures read from: built once per gateway, shared by every request. */
export interface GatewayDeps {
  pool: pg.Pool;
  flavor: StorageFlavor;
  js: JetStreamClient;
  jsm: JetStreamManager;
  topo: Topology;
  heartbeats: KV;
  resources: ResourceStore;
  /** Which sources and models exist now: live views show only their data. */
  declared: DeclaredResources;
  ingest: IngestRate;
  subscriptions: SubscriptionBudget;
  limits: QueryLimits;
  /** Unset: no mutation is allowed. */
  token: string | undefined;
  /** Where the fetchers read replay files (CRYPTOVIZ_DATA_DIR); unset, paths are checked by the schema only. */
  dataDir: string | undefined;
  log: Logger;
}

export interface Context {
  deps: GatewayDeps;
  /** The bearer token the request presented, if any. Never logged. */
  bearer: string | null;
  /** Who asks (the address, or the proxy's X-Forwarded-For when trusted): for per-client caps. */
  client: string;
}

/** `Authorization: Bearer <token>` → the token; anything else → null. */
export function bearerFrom(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match ? match[1]! : null;
}
