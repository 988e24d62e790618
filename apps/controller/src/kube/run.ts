import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { Registry } from '@cryptoviz/runtime';
import { createControlLoop, type Controller } from '../controller.ts';
import { LeaderElector } from '../leader.ts';
import { controllerMetrics } from '../metrics.ts';
import type { RenderOptions } from '../render.ts';
import type { CurrentBus } from '../streams.ts';
import { KubeApi } from './api.ts';
import { KubernetesWorkloadBackend } from './backend.ts';
import { podProblemFinder } from './pod-problem-finder.ts';
import { KubernetesReporter } from './reporter.ts';
import { KubernetesResourceCache } from './store.ts';
import { startWriterScaler } from './writer-scaler.ts';
import type { WriterBounds } from '../replicas.ts';

export interface KubernetesControllerOptions {
  kc: KubeConfig;
  /** Namespace to watch (empty: all) — also where the leader Lease lives. */
  namespace: string;
  leaseNamespace?: string;
  render: RenderOptions;
  /** Read whenever needed: NATS may be reached only after the controller started. */
  bus?: CurrentBus;
  identity?: string;
  leaseName?: string;
  leaseDurationMs?: number;
  leaseRetryMs?: number;
  resyncMs?: number;
  workers?: number;
  staleAfterMs?: number;
  /** How long a shutdown waits for reconciles in flight before releasing the Lease anyway. */
  shutdownTimeoutMs?: number;
  registry?: Registry;
  /** Scale this Deployment (the writers) by the TICKS backlog. */
  writers?: { deployment: string; namespace?: string; bounds: WriterBounds; intervalMs?: number };
  log?: (message: string) => void;
}

export interface RunningController {
  controller: Controller;
  elector: LeaderElector;
  store: KubernetesResourceCache;
  isReady(): boolean;
  stop(): Promise<void>;
}

/**
 * The controller against a cluster: informers everywhere (warm caches on every replica), the
 * work queue only on the elected leader.
 */
export async function startKubernetesController(
  options: KubernetesControllerOptions,
): Promise<RunningController> {
  const log = options.log ?? (() => undefined);
  const metrics = controllerMetrics(options.registry ?? new Registry());
  const api = new KubeApi(options.kc);
  const store = new KubernetesResourceCache(options.kc, api, {
    namespace: options.namespace,
    staleAfterMs: options.staleAfterMs,
    onRestart: (reason) => {
      metrics.informerRestarts.inc();
      log(`informer restarted (${reason})`);
    },
  });
  const identity = options.identity ?? `${hostname()}-${process.pid}`;
  const backend = new KubernetesWorkloadBackend(api, store, options.render);
  const { controller } = createControlLoop({
    store,
    backend,
    rollout: (owner, wanted) => backend.rollout(owner, wanted),
    workloadProblem: podProblemFinder(api, store),
    reporter: new KubernetesReporter(api, store, identity),
    bus: options.bus,
    resyncMs: options.resyncMs ?? 30_000,
    problemRetryMs: 2_000,
    workers: options.workers,
    metrics,
    onError: (key, err, retryInMs) =>
      log(`reconcile ${key} failed, retry in ${retryInMs} ms: ${(err as Error).message}`),
  });
  await store.start();
  const elector = new LeaderElector(options.kc, {
    namespace: options.leaseNamespace || options.namespace || 'default',
    name: options.leaseName ?? 'cryptoviz-controller',
    identity,
    leaseDurationMs: options.leaseDurationMs,
    retryMs: options.leaseRetryMs,
    log,
    onStartedLeading: () => {
      metrics.leader.set(1);
      void controller.start();
    },
    onStoppedLeading: () => {
      metrics.leader.set(0);
      void controller.stop();
    },
  });
  elector.start();
  const writers = options.writers;
  const bus = options.bus ?? (() => undefined);
  const writerScaler = writers
    ? startWriterScaler({
        kc: options.kc,
        namespace: writers.namespace || options.leaseNamespace || options.namespace || 'default',
        deployment: writers.deployment,
        bounds: writers.bounds,
        intervalMs: writers.intervalMs,
        lag: async () => bus()?.writerLag(),
        // Without NATS there is no backlog to go by: leave the writers as they are.
        active: () => elector.isLeader && bus() !== undefined,
        log,
      })
    : undefined;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  return {
    controller,
    elector,
    store,
    isReady: () => true,
    async stop() {
      writerScaler?.stop();
      // Finish what was started while the Lease still keeps a successor out, so no two
      // replicas ever reconcile at once; only then hand the Lease over, and stop the caches
      // the reconciles read last.
      const drained = await controller.stop(shutdownTimeoutMs);
      if (!drained) log(`reconciles still running after ${shutdownTimeoutMs} ms; stopping anyway`);
      await elector.stop();
      await store.stop();
    },
  };
}
