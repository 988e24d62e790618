import type { RunningWorkload } from '@cryptoviz/workloads';
import { elapsed, type Say } from './progress.ts';

const POLL_MS = 500;
const ANSWER_TIMEOUT_MS = 2_000;

/** Whether `url` answers a GET with a 2xx now. */
export async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

export interface Endpoint {
  /** As a person calls it: "the API gateway". */
  name: string;
  url: string;
  /** Where to look when it never answers. */
  logFile?: string;
}

/**
 * Resolves once every endpoint answers; fails after `timeoutMs` naming those that never did and
 * their logs, so "up" is only said of a platform a browser can use.
 */
export async function waitUntilAnswering(endpoints: Endpoint[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let waiting = endpoints;
  for (;;) {
    const verdicts = await Promise.all(waiting.map((endpoint) => answers(endpoint.url)));
    waiting = waiting.filter((_, i) => !verdicts[i]);
    if (waiting.length === 0) return;
    if (performance.now() > deadline) {
      const names = waiting.map(
        (e) => `${e.name} (${e.url}${e.logFile ? `; see ${e.logFile}` : ''})`,
      );
      throw new Error(`not answering after ${elapsed(timeoutMs)}: ${names.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export interface ReadinessWatch {
  /** Whether this workload's current process has said it is ready. */
  isReady(name: string): boolean;
  stop(): void;
}

/**
 * Says "<worker> ready" once per process, when its probe server's /readyz first answers 200:
 * the progress of each worker, during start-up and for any started later (a manifest edit, a
 * restart after a crash).
 */
export function announceReadiness(
  running: () => RunningWorkload<string>[],
  say: Say,
  everyMs = 1_000,
): ReadinessWatch {
  const readyPid = new Map<string, number>();
  const check = async () => {
    await Promise.all(
      running().map(async (workload) => {
        const { name } = workload.workload;
        if (workload.pid === undefined || readyPid.get(name) === workload.pid) return;
        if (await answers(`http://127.0.0.1:${workload.probePort}/readyz`)) {
          readyPid.set(name, workload.pid);
          say(`• ${name} ready (pid ${workload.pid})`);
        }
      }),
    );
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void check().finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return {
    isReady: (name) => {
      const current = running().find((w) => w.workload.name === name);
      return current?.pid !== undefined && readyPid.get(name) === current.pid;
    },
    stop: () => clearInterval(timer),
  };
}
