import { Registry } from '@cryptoviz/runtime';
import {
  LocalWorkloadBackend,
  planWriters,
  ProcessBackend,
  type ProcessBackendOptions,
} from '@cryptoviz/workloads';
import { createControlLoop } from '../controller.ts';
import { controllerMetrics } from '../metrics.ts';
import { desiredWriters, type WriterBounds } from '../replicas.ts';
import type { Bus } from '../streams.ts';
import { FolderResourceCache } from './folder-store.ts';
import { LocalReporter } from './reporter.ts';

export interface LocalControllerOptions extends Pick<
  ProcessBackendOptions,
  'stateDir' | 'entries' | 'baseEnv'
> {
  manifestsDir: string;
  bus?: Bus;
  writers?: WriterBounds;
  resyncMs?: number;
  watch?: boolean;
  registry?: Registry;
  onEvent?: (line: string) => void;
}

export interface LocalController {
  store: FolderResourceCache;
  processes: ProcessBackend;
  reporter: LocalReporter;
  stop(): Promise<void>;
}

/**
 * The same reconcile loop on a machine with no cluster: resources from a folder of manifests,
 * workers as child processes, writers scaled by the TICKS backlog. Resolves once every resource
 * has been reconciled once, so what runs can be shown right away.
 */
export async function startLocalController(
  options: LocalControllerOptions,
): Promise<LocalController> {
  const onEvent = options.onEvent ?? (() => undefined);
  const store = new FolderResourceCache(options.manifestsDir, onEvent);
  await store.load();
  const processes = new ProcessBackend({
    stateDir: options.stateDir,
    entries: options.entries,
    baseEnv: options.baseEnv,
    resolveSecret: (ref) => store.secret({ namespace: ref.namespace, name: ref.secret }, ref.key),
    onEvent,
  });
  const backend = new LocalWorkloadBackend(processes);
  const reporter = new LocalReporter(store, onEvent);
  const { reconciler, controller } = createControlLoop({
    store,
    backend,
    reporter,
    bus: () => options.bus,
    resyncMs: options.resyncMs ?? 15_000,
    problemRetryMs: 5_000,
    metrics: controllerMetrics(options.registry ?? new Registry()),
    onError: (key, err, retryInMs) =>
      onEvent(`${key}: ${(err as Error).message} (retry in ${retryInMs / 1000}s)`),
  });

  const bounds = options.writers ?? { min: 1, max: 1 };
  const scaleWriters = async () =>
    backend.applyShared(planWriters(desiredWriters(await options.bus?.writerLag(), bounds)));
  await scaleWriters();
  for (const key of store.keys()) await reconciler.reconcile(key);
  await controller.start();
  if (options.watch ?? true) store.watch();
  const writerTimer = setInterval(() => void scaleWriters().catch(() => undefined), 15_000);
  writerTimer.unref();

  return {
    store,
    processes,
    reporter,
    async stop() {
      clearInterval(writerTimer);
      store.stop();
      await controller.stop();
      await backend.stop();
    },
  };
}
