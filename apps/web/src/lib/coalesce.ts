export interface Coalesced {
  /** Asks for a run: the first request of a burst schedules it, the rest join that one. */
  request(): void;
  cancel(): void;
}

/**
 * Runs `run` once `waitMs` after the first of a burst of requests, so however fast requests
 * come, it runs at most once per `waitMs`. Unlike a debounce, a steady stream of requests
 * cannot postpone it forever; the wait also gives whatever prompted the request time to settle.
 */
export function coalesce(run: () => void, waitMs: number): Coalesced {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    request() {
      timer ??= setTimeout(() => {
        timer = undefined;
        run();
      }, waitMs);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
