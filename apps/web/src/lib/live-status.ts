import { TRPCClientError } from '@trpc/client';
import { ExponentialBackoff, noJitterGenerator, type IBackoff } from 'cockatiel';
import { derived, writable } from 'svelte/store';

/**
 * One live stream's link to the gateway, as a person needs to know it. `offline`: the stream
 * ended on an error nothing retries (the gateway's subscription limit, say), so only a reload
 * brings it back.
 */
export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'offline';

const states = writable<Record<string, LinkState>>({});

export function reportLink(stream: string, state: LinkState | null): void {
  states.update((all) => {
    const next = { ...all };
    if (state === null) delete next[stream];
    else next[stream] = state;
    return next;
  });
}

/** The worst state over the streams a page has open; `idle` when none is. */
export const overallLink = derived(states, (all): LinkState | 'idle' => {
  const values = Object.values(all);
  if (values.length === 0) return 'idle';
  if (values.includes('offline')) return 'offline';
  if (values.includes('reconnecting')) return 'reconnecting';
  if (values.includes('connecting')) return 'connecting';
  return 'live';
});

interface Subscribable<T> {
  subscribe(
    input: never,
    handlers: {
      onData(value: T): void;
      onError(err: unknown): void;
      onStarted(): void;
      onComplete(): void;
      onConnectionStateChange(state: {
        state: 'idle' | 'connecting' | 'pending';
        error: unknown;
      }): void;
    },
  ): { unsubscribe(): void };
}

/** The id of an event the gateway sent with `tracked()`: where a reopened stream resumes. */
function eventIdOf(value: unknown): string | undefined {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** A lost stream is opened again after 1 s, doubling per failed attempt up to 15 s. */
const REOPEN_DELAYS = new ExponentialBackoff({
  generator: noJitterGenerator,
  initialDelay: 1_000,
  maxDelay: 15_000,
});

/**
 * Whether a stream was lost without a word from the gateway: it was unreachable, or answered
 * with an HTTP error rather than a stream (the web server's 502 while it restarts), which ends
 * the browser's EventSource for good. An error the gateway itself sent has a tRPC shape.
 */
function isLinkFailure(err: unknown): boolean {
  return err instanceof TRPCClientError && err.shape === undefined;
}

/**
 * Opens a subscription and reports its link state under `stream`; returns the function that
 * closes it. tRPC's SSE link reconnects by itself (sending Last-Event-ID): while it does, the
 * state is `reconnecting`, so the page can say its data may be behind. A stream the link gives
 * up on without an answer from the gateway is opened again here, with backoff, from the last
 * event id it delivered, so what was published meanwhile still arrives; it stays
 * `reconnecting` until then. An error the gateway sent that reaches `onError` is not retried,
 * and a stream the gateway completes is not reopened either: both leave the stream `offline`
 * rather than claiming a reconnect that never comes.
 */
export function follow<T>(
  stream: string,
  open: (
    handlers: Parameters<Subscribable<T>['subscribe']>[1],
    lastEventId: string | undefined,
  ) => { unsubscribe(): void },
  onData: (value: T) => void,
  onError: (message: string) => void = () => undefined,
): () => void {
  let closed = false;
  let retries = 0;
  let backoff: IBackoff<unknown> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let subscription: { unsubscribe(): void } | undefined;
  let lastEventId: string | undefined;
  const start = () => {
    reportLink(stream, retries > 0 ? 'reconnecting' : 'connecting');
    subscription = open(
      {
        onData: (value) => {
          lastEventId = eventIdOf(value) ?? lastEventId;
          reportLink(stream, 'live');
          onData(value);
        },
        onStarted: () => {
          retries = 0;
          backoff = undefined;
          reportLink(stream, 'live');
        },
        onComplete: () => {
          if (!closed) reportLink(stream, 'offline');
        },
        onError: (err) => {
          if (closed) return;
          if (isLinkFailure(err)) {
            reportLink(stream, 'reconnecting');
            backoff = (backoff ?? REOPEN_DELAYS).next(undefined);
            retries += 1;
            retry = setTimeout(start, backoff.duration);
            return;
          }
          reportLink(stream, 'offline');
          onError(err instanceof Error ? err.message : String(err));
        },
        onConnectionStateChange: (state) => {
          if (state.state === 'pending') reportLink(stream, 'live');
          else if (state.state === 'connecting') {
            reportLink(stream, state.error || retries > 0 ? 'reconnecting' : 'connecting');
          }
        },
      },
      lastEventId,
    );
  };
  start();
  return () => {
    closed = true;
    clearTimeout(retry);
    subscription?.unsubscribe();
    reportLink(stream, null);
  };
}
