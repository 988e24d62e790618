import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { ConditionProblem } from '../facts.ts';
import { LABELS } from '../labels.ts';
import {
  quoteOutput,
  WORKLOAD_REASON_RANK,
  WORKLOAD_REASONS,
  type WorkloadReason,
} from '../workload-problems.ts';

/** The kubelet's waiting reasons for an image it cannot get. */
const IMAGE_PULL_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
]);
/** The kubelet's waiting reasons for a container it cannot make from the pod's spec. */
const CONFIG_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError']);

/**
 * A worker that runs this long without turning ready is stuck, not starting: a fetcher is ready
 * once it has reached NATS, which takes seconds.
 */
export const NOT_READY_AFTER_MS = 120_000;

/** What is wrong with one pod, before it is put into words. */
export interface PodTrouble {
  reason: WorkloadReason;
  pod: V1Pod;
  container: V1ContainerStatus;
  /** What the kubelet or the worker itself said: untrusted text, to be scrubbed. */
  said?: string;
}

const timeOf = (value: Date | string | undefined) =>
  value === undefined ? undefined : new Date(value).getTime();

function troubleOf(pod: V1Pod, container: V1ContainerStatus, now: number): PodTrouble | undefined {
  const waiting = container.state?.waiting;
  const trouble = (reason: WorkloadReason, said?: string): PodTrouble => ({
    reason,
    pod,
    container,
    said,
  });
  if (waiting?.reason && IMAGE_PULL_REASONS.has(waiting.reason)) {
    return trouble(WORKLOAD_REASONS.imagePull, waiting.message);
  }
  if (waiting?.reason && CONFIG_REASONS.has(waiting.reason)) {
    return trouble(WORKLOAD_REASONS.config, waiting.message);
  }
  if (waiting?.reason === 'CrashLoopBackOff') {
    return trouble(WORKLOAD_REASONS.crashLoop, container.lastState?.terminated?.message);
  }
  const startedAt = timeOf(container.state?.running?.startedAt);
  if (startedAt !== undefined && !container.ready && now - startedAt >= NOT_READY_AFTER_MS) {
    return trouble(WORKLOAD_REASONS.notConnected);
  }
  return undefined;
}

/**
 * The worst trouble among an owner's pods (pods on their way out do not count), the same one
 * on every call for the same pods: by reason rank, then pod name.
 */
export function worstPodTrouble(pods: readonly V1Pod[], now: number): PodTrouble | undefined {
  const found = pods
    .filter((pod) => !pod.metadata?.deletionTimestamp)
    .flatMap((pod) =>
      [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
        .map((container) => troubleOf(pod, container, now))
        .filter((trouble): trouble is PodTrouble => trouble !== undefined),
    );
  const rank = (trouble: PodTrouble) => WORKLOAD_REASON_RANK.indexOf(trouble.reason);
  found.sort(
    (a, b) =>
      rank(a) - rank(b) || (a.pod.metadata?.name ?? '').localeCompare(b.pod.metadata?.name ?? ''),
  );
  return found[0];
}

/** Every Secret key the pod's containers read into their environment. */
export function secretRefsOf(pod: V1Pod): { name: string; key: string }[] {
  return (pod.spec?.containers ?? []).flatMap((container) =>
    (container.env ?? []).flatMap((env) => {
      const ref = env.valueFrom?.secretKeyRef;
      return ref?.name && ref.key ? [{ name: ref.name, key: ref.key }] : [];
    }),
  );
}

function exitDetail(container: V1ContainerStatus): string {
  const terminated = container.lastState?.terminated;
  if (!terminated) return `${container.restartCount} restarts`;
  const why =
    terminated.reason === 'OOMKilled'
      ? ', killed for using more memory than its limit'
      : terminated.exitCode === 2
        ? ', a setting is invalid'
        : terminated.reason && terminated.reason !== 'Error'
          ? `, ${terminated.reason}`
          : '';
  return `${container.restartCount} restarts, last exit code ${terminated.exitCode}${why}`;
}

/**
 * The trouble as a status tells it: which worker, what the kubelet or worker said (scrubbed by
 * `scrub`; left out when `scrub` is undefined, i.e. the secrets to remove could not be read),
 * and the command that shows more.
 */
export function describePodTrouble(
  trouble: PodTrouble,
  scrub: ((text: string) => string) | undefined,
): ConditionProblem {
  const { pod, container, reason } = trouble;
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const labels = pod.metadata?.labels ?? {};
  const worker = `pod ${namespace}/${name} (${labels[LABELS.role] ?? container.name} shard ${labels[LABELS.shard] ?? '?'})`;
  const quoted = trouble.said && scrub ? quoteOutput(trouble.said, scrub) : '';
  const said = quoted ? `: ${quoted}` : '';
  const describe = `kubectl describe pod -n ${namespace} ${name}`;
  const image = pod.spec?.containers?.find((c) => c.name === container.name)?.image;
  switch (reason) {
    case WORKLOAD_REASONS.imagePull:
      return {
        reason,
        message: `${worker} cannot pull image ${image ?? container.image}${said}. Check the image name and tag, that the nodes can reach its registry (pull secret, imagePullPolicy); ${describe}`,
      };
    case WORKLOAD_REASONS.config:
      return {
        reason,
        message: `${worker} cannot create its container${said}. Create what it names (a Secret or key, a ConfigMap); ${describe}`,
      };
    case WORKLOAD_REASONS.crashLoop:
      return {
        reason,
        message: `${worker} keeps crashing (${exitDetail(container)})${said}. Its log says why: kubectl logs -n ${namespace} ${name} --previous`,
      };
    case WORKLOAD_REASONS.notConnected: {
      const waitsFor =
        labels[LABELS.role] === 'predictor'
          ? 'NATS or the database is unreachable, the database schema is missing (cryptoviz migrate), or it is still catching up'
          : 'NATS is unreachable (check that it runs and that NATS_URL names its Service)';
      return {
        reason,
        message: `${worker} runs but has not become ready in ${NOT_READY_AFTER_MS / 60_000} minutes: ${waitsFor}. Its log says which: kubectl logs -n ${namespace} ${name}`,
      };
    }
  }
}
