import type { V1Pod } from '@kubernetes/client-node';
import { createScrubber, type Scrubber } from '@cryptoviz/runtime/secrets';
import { KIND_ROLES } from '@cryptoviz/workloads';
import { LABELS } from '../labels.ts';
import type { WorkloadProblemFinder } from '../workload-problems.ts';
import { statusCode, type KubeApi } from './api.ts';
import { describePodTrouble, secretRefsOf, worstPodTrouble } from './pod-problems.ts';
import type { KubernetesResourceCache } from './store.ts';

/**
 * A scrubber of every Secret value the pod's environment reads: what the kubelet or a crashed
 * worker said may quote one. Undefined when a Secret cannot be read (then nothing is quoted);
 * a Secret or key that does not exist holds nothing to scrub.
 */
async function scrubberFor(api: KubeApi, pod: V1Pod): Promise<Scrubber | undefined> {
  const namespace = pod.metadata?.namespace ?? '';
  const values: string[] = [];
  for (const ref of secretRefsOf(pod)) {
    try {
      const secret = await api.core.readNamespacedSecret({ name: ref.name, namespace });
      const encoded = secret.data?.[ref.key];
      if (encoded) values.push(Buffer.from(encoded, 'base64').toString('utf8'));
    } catch (err) {
      if (statusCode(err) !== 404) return undefined;
    }
  }
  return createScrubber(values);
}

/**
 * The worst problem of an owner's worker pods, from the informer's cache: a pod that cannot pull
 * its image, cannot create its container, crash-loops, or runs without turning ready.
 */
export function podProblemFinder(
  api: KubeApi,
  store: KubernetesResourceCache,
  now: () => number = Date.now,
): WorkloadProblemFinder {
  return async (owner) => {
    const role = KIND_ROLES[owner.kind].role;
    const pods = store.pods.list(owner.namespace).filter((pod) => {
      const labels = pod.metadata?.labels ?? {};
      return (
        labels[LABELS.kind] === owner.kind &&
        labels[LABELS.resource] === owner.name &&
        labels[LABELS.role] === role
      );
    });
    const trouble = worstPodTrouble(pods, now());
    if (!trouble) return undefined;
    const scrub = trouble.said ? await scrubberFor(api, trouble.pod) : undefined;
    return describePodTrouble(trouble, scrub);
  };
}
