import { resolve } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  connectBus,
  openHeartbeats,
  startHeartbeat,
  topology,
  waitForBusInfrastructure,
} from '@cryptoviz/bus';
import type { Running, ServiceDefinition, StartedService } from '@cryptoviz/runtime';
import { createPool, waitForSchema } from '@cryptoviz/store';
import { gatewayEnv, queryLimits } from './config.ts';
import type { GatewayDeps } from './context.ts';
import { IngestRate, ingestSources } from './health/ingest-rate.ts';
import { startApiServer } from './http/api-server.ts';
import { SubscriptionBudget } from './live/subscription-budget.ts';
import { DeclaredResources } from './resources/declared-resources.ts';
import { resourceStoreFor } from './resources/store-for-config.ts';

export interface RunningGateway extends Running {
  /** The API's port (GATEWAY_PORT=0 picks one). */
  port: number;
}

/** The API port of a gateway started with `startService(gatewayService, …)`. */
export function apiPort(service: StartedService): number {
  return (service.running as RunningGateway).port;
}

export const gatewayService: ServiceDefinition<typeof gatewayEnv> = {
  name: 'gateway',
  env: gatewayEnv,
  secretEnv: ['GATEWAY_TOKEN'],
  async start({ config, log, registry }) {
    // The schema is `cryptoviz migrate`'s: the gateway only waits for it to be current.
    const flavor = await waitForSchema(config.DATABASE_URL, { log: (m) => log.warn(m) });
    const pool = createPool(config.DATABASE_URL, 20);
    const nc = await connectBus(config.NATS_URL, config.WORKER_ID, log);
    const topo = topology(config.CRYPTOVIZ_NAMESPACE);
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    // The streams and the bucket are the controller's, like the schema is `cryptoviz migrate`'s.
    await waitForBusInfrastructure(jsm, topo, { log: (m) => log.warn(m) });
    const heartbeatsKv = await openHeartbeats(js, topo);
    const ingest = new IngestRate(ingestSources(jsm, heartbeatsKv, topo));
    ingest.start();
    const subscriptions = new SubscriptionBudget(
      config.GATEWAY_MAX_SUBSCRIPTIONS,
      config.GATEWAY_MAX_SUBSCRIPTIONS_PER_CLIENT,
    );
    const resources = resourceStoreFor(config);
    const deps: GatewayDeps = {
      pool,
      flavor,
      js,
      jsm,
      topo,
      heartbeats: heartbeatsKv,
      resources,
      declared: new DeclaredResources(resources, log),
      ingest,
      subscriptions,
      limits: queryLimits(config),
      token: config.GATEWAY_TOKEN,
      dataDir: config.CRYPTOVIZ_DATA_DIR,
      log,
    };
    const api = await startApiServer({
      deps,
      host: config.GATEWAY_HOST,
      port: config.GATEWAY_PORT,
      corsOrigins: config.GATEWAY_CORS_ORIGINS,
      rateLimitPerMin: config.GATEWAY_RATE_LIMIT_PER_MIN,
      hotCacheMs: config.GATEWAY_HOT_CACHE_MS,
      trustProxy: config.GATEWAY_TRUST_PROXY,
      headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_S * 1000,
      registry,
      log,
    });
    const heartbeat = startHeartbeat(
      heartbeatsKv,
      { id: config.WORKER_ID, role: 'gateway' },
      () => ({
        counters: { subscriptions: subscriptions.open },
        details: { port: api.port, readOnly: !config.GATEWAY_TOKEN },
      }),
      { onRefused: (reason) => log.warn(reason) },
    );
    log.info(
      {
        port: api.port,
        manifests: resolve(config.GATEWAY_MANIFESTS),
        mutations: config.GATEWAY_TOKEN
          ? 'enabled (token required)'
          : 'disabled (no GATEWAY_TOKEN)',
      },
      `gateway API on http://${config.GATEWAY_HOST}:${api.port}/trpc`,
    );
    const running: RunningGateway = {
      isReady: () => !nc.isClosed(),
      port: api.port,
      async stop() {
        await api.close();
        ingest.stop();
        await heartbeat.stop();
        await nc.drain();
        await pool.end();
      },
    };
    return running;
  },
};
