import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import {
  natsEnv,
  type Logger,
  type ServiceContext,
  type ServiceDefinition,
} from '@cryptoviz/runtime';
import { DEFAULT_IMAGE } from '@cryptoviz/workloads';
import { startKubernetesController } from './kube/run.ts';
import { BusConnector } from './bus-connector.ts';
import { connectControllerBus } from './streams.ts';

const seconds = (fallback: number) => z.coerce.number().positive().max(3600).default(fallback);

const env = {
  ...natsEnv,
  /** Kubeconfig file; in a pod the service account is used when this is unset. */
  KUBECONFIG: z.string().optional(),
  /** Namespace to watch; empty watches all of them. */
  WATCH_NAMESPACE: z.string().default(''),
  /** Where the leader Lease lives (the controller's own namespace in a cluster). */
  LEASE_NAMESPACE: z.string().default(''),
  /** The image with every worker (fetcher, writer, predictor). */
  WORKER_IMAGE: z.string().min(1).default(DEFAULT_IMAGE),
  WORKER_IMAGE_PULL_POLICY: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
  /** `secret/key` holding DATABASE_URL for predictors and writers. */
  DATABASE_SECRET: z
    .string()
    .regex(/^[a-z0-9.-]+\/[-._a-zA-Z0-9]+$/, 'must look like secret-name/key')
    .optional(),
  WORKER_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  /** The writers' Deployment to scale by the TICKS backlog (in LEASE_NAMESPACE); none if unset. */
  WRITER_DEPLOYMENT: z.string().optional(),
  WRITER_MIN_REPLICAS: z.coerce.number().int().min(1).max(100).default(1),
  WRITER_MAX_REPLICAS: z.coerce.number().int().min(1).max(100).default(4),
  CONTROLLER_WORKERS: z.coerce.number().int().min(1).max(64).default(4),
  CONTROLLER_RESYNC_S: seconds(30),
  LEASE_DURATION_S: seconds(15),
  LEASE_RETRY_S: seconds(2),
  CONTROLLER_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
};

type ControllerConfig = ServiceContext<z.output<z.ZodObject<typeof env>>>['config'];

/**
 * NATS reached in the background: until it answers, status says HeartbeatsUnavailable and the
 * writers are left alone, while workers are still run and scaled by their symbols.
 */
function backgroundBus(config: ControllerConfig, log: Logger): BusConnector {
  return new BusConnector({
    connect: () =>
      connectControllerBus(config.NATS_URL, config.CRYPTOVIZ_NAMESPACE, config.CONTROLLER_ID, (m) =>
        log.warn(m),
      ),
    onFailed: (err, retryInMs) =>
      log.warn(
        { err: (err as Error).message, retryInMs },
        'NATS unreachable: no heartbeats or lag',
      ),
    onConnected: (attempts) => {
      if (attempts > 1) log.info({ attempts }, 'NATS reached: heartbeats and lag available');
    },
  });
}

function kubeConfig(config: ControllerConfig): KubeConfig {
  const kc = new KubeConfig();
  if (config.KUBECONFIG) kc.loadFromFile(config.KUBECONFIG);
  else kc.loadFromDefault();
  return kc;
}

export const controllerService: ServiceDefinition<typeof env> = {
  name: 'controller',
  env,
  async start({ config, log, registry }) {
    const bus = backgroundBus(config, log);
    await bus.start();
    const [secretName, secretKey] = config.DATABASE_SECRET?.split('/') ?? [];
    try {
      const running = await startKubernetesController({
        kc: kubeConfig(config),
        namespace: config.WATCH_NAMESPACE,
        leaseNamespace: config.LEASE_NAMESPACE || config.WATCH_NAMESPACE || 'default',
        identity: config.CONTROLLER_ID,
        render: {
          image: config.WORKER_IMAGE,
          imagePullPolicy: config.WORKER_IMAGE_PULL_POLICY,
          baseEnv: {
            NATS_URL: config.NATS_URL,
            CRYPTOVIZ_NAMESPACE: config.CRYPTOVIZ_NAMESPACE,
            LOG_LEVEL: config.WORKER_LOG_LEVEL,
          },
          databaseSecret:
            secretName && secretKey ? { name: secretName, key: secretKey } : undefined,
        },
        bus: bus.current,
        workers: config.CONTROLLER_WORKERS,
        resyncMs: config.CONTROLLER_RESYNC_S * 1000,
        leaseDurationMs: config.LEASE_DURATION_S * 1000,
        leaseRetryMs: config.LEASE_RETRY_S * 1000,
        // Half the shutdown budget: the rest is for releasing the Lease and closing up.
        shutdownTimeoutMs: (config.SHUTDOWN_TIMEOUT_S * 1000) / 2,
        registry,
        writers: config.WRITER_DEPLOYMENT
          ? {
              deployment: config.WRITER_DEPLOYMENT,
              bounds: { min: config.WRITER_MIN_REPLICAS, max: config.WRITER_MAX_REPLICAS },
            }
          : undefined,
        log: (message) => log.info(message),
      });
      return {
        isReady: running.isReady,
        async stop() {
          await running.stop();
          await bus.close();
        },
      };
    } catch (err) {
      // Otherwise the retries would keep a process that failed to start alive.
      await bus.close();
      throw err;
    }
  },
};
