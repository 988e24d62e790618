import { AppsV1Api, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { kubeApiClient } from '@cryptoviz/resources/node';
import { desiredWriters, type WriterBounds } from '../replicas.ts';
import { statusCode } from './api.ts';

export interface WriterScalerOptions {
  kc: KubeConfig;
  namespace: string;
  /** The writers' Deployment (installed by the chart, without a fixed replica count). */
  deployment: string;
  bounds: WriterBounds;
  /** Pending messages of the writers' shared consumer. */
  lag: () => Promise<number | undefined>;
  /** Whether to scale now: only the leader scales, and only when it can read the backlog. */
  active: () => boolean;
  intervalMs?: number;
  log?: (message: string) => void;
}

const mergePatch = setHeaderOptions('Content-Type', 'application/merge-patch+json');

/**
 * What KEDA would do for the writers, built in: their Deployment's scale follows the TICKS
 * backlog within bounds. It writes only when the count changes.
 */
export function startWriterScaler(options: WriterScalerOptions): { stop(): void } {
  const apps = kubeApiClient(options.kc, AppsV1Api);
  const { namespace, deployment: name } = options;
  let missingReported = false;
  const tick = async () => {
    if (!options.active()) return;
    const wanted = desiredWriters(await options.lag(), options.bounds);
    try {
      const scale = await apps.readNamespacedDeploymentScale({ name, namespace });
      if (scale.spec?.replicas === wanted) return;
      await apps.patchNamespacedDeploymentScale(
        { name, namespace, body: { spec: { replicas: wanted } } },
        mergePatch,
      );
      options.log?.(`writers ${namespace}/${name}: ${scale.spec?.replicas ?? 0} → ${wanted}`);
      missingReported = false;
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
      if (!missingReported) options.log?.(`writer Deployment ${namespace}/${name} not found`);
      missingReported = true;
    }
  };
  const timer = setInterval(
    () => void tick().catch((err: Error) => options.log?.(`writer scaling: ${err.message}`)),
    options.intervalMs ?? 15_000,
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
