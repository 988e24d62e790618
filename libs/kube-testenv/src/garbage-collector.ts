import { existsSync, readFileSync, statSync } from 'node:fs';
import { launch, type Launched } from './processes.ts';

const SYNCED = 'Garbage collector: all resource monitors have synced';
const NOT_SYNCED = 'Garbage collector: not all resource monitors could be synced';
/** The collector gives up waiting for its informers after 30 s; allow for a slow start too. */
const READY_TIMEOUT_MS = 90_000;

export interface GarbageCollector extends Launched {
  logFile: string;
  /** Where this run's output starts in `logFile` (a reused state folder appends to it). */
  logOffset: number;
}

/**
 * kube-controller-manager running only the garbage collector, so owner references take effect
 * as in a real cluster. Only that one: the Deployment controller, for one, would overwrite the
 * Deployment statuses tests write themselves, and others would create objects nobody asked for.
 */
export function startGarbageCollector(
  binary: string,
  kubeconfigPath: string,
  logFile: string,
  detached: boolean,
): GarbageCollector {
  const logOffset = existsSync(logFile) ? statSync(logFile).size : 0;
  const args = garbageCollectorArgs(kubeconfigPath);
  const proc = launch('kube-controller-manager', binary, args, logFile, detached);
  return { ...proc, logFile, logOffset };
}

function garbageCollectorArgs(kubeconfigPath: string): string[] {
  return [
    `--kubeconfig=${kubeconfigPath}`,
    '--controllers=garbagecollector',
    // The admin kubeconfig serves every controller: per-controller service-account credentials
    // would need the token controller and a signing key, for no test's benefit.
    '--use-service-account-credentials=false',
    // One instance, started and stopped with the plane: nothing to elect.
    '--leader-elect=false',
    // No HTTPS endpoint, so no port to pick or certificate to make: its /healthz would not say
    // whether the collector's informers have synced anyway; the log does.
    '--secure-port=0',
  ];
}

/**
 * Waits until the collector watches every resource (the CRDs included, hence started after
 * they are installed): until then a deleted owner's dependents could be missed for a while.
 */
export async function waitGarbageCollectorReady(gc: GarbageCollector): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gc.child.exitCode !== null || gc.child.signalCode !== null) {
      throw new Error(
        `${gc.name} exited during start (code ${gc.child.exitCode}); see ${gc.logFile}`,
      );
    }
    const output = readFileSync(gc.logFile).subarray(gc.logOffset).toString();
    if (output.includes(SYNCED)) return;
    if (output.includes(NOT_SYNCED)) {
      throw new Error(`the garbage collector could not watch every resource; see ${gc.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `the garbage collector was not ready within ${READY_TIMEOUT_MS / 1000} s; see ${gc.logFile}`,
  );
}
