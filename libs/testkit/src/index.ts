import { randomBytes } from 'node:crypto';
import { createServer, connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { deleteStreams, declareBusInfrastructure, topology, type Topology } from '@cryptoviz/bus';
import { createDatabase, dropDatabase } from '@cryptoviz/devenv';
import { createPool, latestTicks, migrate, type StorageFlavor } from '@cryptoviz/store';
import type pg from 'pg';
import { testInfra } from './infra.ts';

export { expectedCandles } from './candles.ts';
export { testInfra, type TestInfrastructure } from './infra.ts';
export { priceTick, sampleTicks } from './ticks.ts';

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  flavor: StorageFlavor;
  drop(): Promise<void>;
}

/**
 * The storage flavors this run can test: plain PostgreSQL always, TimescaleDB when the test
 * setup could start a cluster with it. Tests parameterised over these simply have no
 * TimescaleDB cases on a machine without it; the run's summary says so.
 */
export function storageFlavors(): StorageFlavor[] {
  return testInfra().timescaleAdminUrl ? ['postgresql', 'timescaledb'] : ['postgresql'];
}

/** The admin URL of the server that gives `flavor`. */
export function adminUrlFor(flavor: StorageFlavor): string {
  const { adminDatabaseUrl, timescaleAdminUrl } = testInfra();
  if (flavor === 'postgresql') return adminDatabaseUrl;
  if (!timescaleAdminUrl) throw new Error('no TimescaleDB cluster in this run');
  return timescaleAdminUrl;
}

/**
 * A fresh database of this test's own on the server of `flavor`, migrated unless told not to,
 * dropped afterwards.
 */
export async function createTestDatabase(
  flavor: StorageFlavor = 'postgresql',
  { migrated = true } = {},
): Promise<TestDatabase> {
  const adminUrl = adminUrlFor(flavor);
  const name = uniqueName('cvz_test');
  const url = await createDatabase(adminUrl, name);
  if (migrated) await migrate(url);
  const pool = createPool(url);
  return {
    url,
    pool,
    flavor,
    drop: async () => {
      await pool.end();
      await dropDatabase(adminUrl, name);
    },
  };
}

export interface TestBus {
  url: string;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  topo: Topology;
  drop(): Promise<void>;
}

/** Streams under a namespace of this test's own, deleted afterwards. */
export async function createTestBus(): Promise<TestBus> {
  const { natsUrl } = testInfra();
  const topo = topology(uniqueName('t').toLowerCase());
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  await declareBusInfrastructure(jsm, topo);
  return {
    url: natsUrl,
    nc,
    js: jetstream(nc),
    jsm,
    topo,
    drop: async () => {
      await deleteStreams(jsm, topo);
      await nc.close();
    },
  };
}

/** Polls until `check` holds, for effects that cross processes; fails with the last value. */
export async function eventually<T>(
  probe: () => Promise<T>,
  check: (value: T) => boolean,
  { timeoutMs = 20_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!check(value)) {
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await probe();
  }
  return value;
}

/**
 * Waits until `count` (source, symbol) pairs have a stored tick, and names them
 * `namespace/name/SYMBOL`, sorted: what a pipeline test expects its fetchers to have delivered.
 */
export async function storedPairs(pool: pg.Pool, count: number): Promise<string[]> {
  const latest = await eventually(
    () => latestTicks(pool),
    (ticks) => ticks.length === count,
    { timeoutMs: 30_000 },
  );
  return latest.map((t) => `${t.source}/${t.symbol}`).sort();
}

/** Whether a process runs (signal 0 checks without sending anything). */
export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A TCP proxy in front of a real server, which a test can cut (every connection dropped,
 * new ones refused) and restore: an outage without stopping a server others share.
 */
export async function createOutageProxy(targetHost: string, targetPort: number) {
  const sockets = new Set<Socket>();
  let up = true;
  const server = createServer((client) => {
    if (!up) return client.destroy();
    const upstream = netConnect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      up = false;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    restore() {
      up = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A NATS connection of its own through an outage proxy, reconnecting quickly: cutting the
 * proxy takes NATS away from this one client while the test's own connection stays up.
 */
export async function connectThroughOutageProxy(natsUrl: string) {
  const direct = new URL(natsUrl);
  const proxy = await createOutageProxy(direct.hostname, Number(direct.port || 4222));
  const nc = await connect({
    servers: `nats://127.0.0.1:${proxy.port}`,
    reconnectTimeWait: 200,
    maxReconnectAttempts: -1,
  });
  return {
    nc,
    proxy,
    async close() {
      await nc.close();
      await proxy.close();
    },
  };
}
export * from './heartbeats.ts';
