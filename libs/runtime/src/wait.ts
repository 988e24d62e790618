/** One look at something a process needs: there (with what it found), or what is missing. */
export type Readiness<T> = { ready: true; value: T } | { ready: false; waitingFor: string };

export interface WaitOptions {
  log: (message: string) => void;
  /** Who can end the wait, told with every message (e.g. "run `cryptoviz migrate`"). */
  remedy: string;
  intervalMs?: number;
  signal?: AbortSignal;
}

/** How often a wait that has not changed is said again. */
const REPEAT_MS = 60_000;

/**
 * Looks until `check` finds what it needs and returns it. Says once what it waits for, again
 * when that changes, and every minute while it does not: a process waiting on another's work
 * (a migration, the controller's streams) is quiet but never silent.
 */
export async function waitUntilReady<T>(
  check: () => Promise<Readiness<T>>,
  options: WaitOptions,
): Promise<T> {
  const intervalMs = options.intervalMs ?? 2_000;
  let lastSaid = '';
  let saidAt = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const readiness = await check();
    if (readiness.ready) return readiness.value;
    if (readiness.waitingFor !== lastSaid || Date.now() - saidAt > REPEAT_MS) {
      options.log(`waiting: ${readiness.waitingFor}; ${options.remedy}`);
      lastSaid = readiness.waitingFor;
      saidAt = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
