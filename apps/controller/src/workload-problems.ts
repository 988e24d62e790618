import type { ConditionProblem } from './facts.ts';

/**
 * Why the platform cannot run a resource's workers, in the same words whichever backend runs
 * them: Pods in a cluster, child processes on a machine with no cluster.
 */
export const WORKLOAD_REASONS = {
  /** The image cannot be pulled or named (ErrImagePull, ImagePullBackOff, InvalidImageName…). */
  imagePull: 'ImagePullFailed',
  /** The container cannot be created from its spec (a missing Secret key, ConfigMap, …). */
  config: 'PodConfigError',
  /** The worker starts and exits, again and again. */
  crashLoop: 'CrashLooping',
  /** The worker runs but never becomes ready: it cannot reach what it needs (NATS first). */
  notConnected: 'WorkerNotConnected',
} as const;

export type WorkloadReason = (typeof WORKLOAD_REASONS)[keyof typeof WORKLOAD_REASONS];

/** A problem of the workers' platform, worst first when several workers have one. */
export const WORKLOAD_REASON_RANK: readonly WorkloadReason[] = [
  WORKLOAD_REASONS.imagePull,
  WORKLOAD_REASONS.config,
  WORKLOAD_REASONS.crashLoop,
  WORKLOAD_REASONS.notConnected,
];

/** Finds the worst problem of an owner's workers, if any; undefined when nothing is wrong. */
export type WorkloadProblemFinder = (owner: {
  kind: 'CryptoSource' | 'PredictionModel';
  namespace: string;
  name: string;
}) => Promise<ConditionProblem | undefined>;

/**
 * Text a worker or the kubelet wrote, fit for a status: secrets scrubbed, on one line, and only
 * its end (a log's last words say why it stopped).
 */
export function quoteOutput(text: string, scrub: (text: string) => string, max = 300): string {
  const line = scrub(text).replace(/\s+/g, ' ').trim();
  return line.length > max ? `…${line.slice(line.length - max)}` : line;
}
