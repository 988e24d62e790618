import { setTimeout as delay } from 'node:timers/promises';
import { ExponentialBackoff, noJitterGenerator, type IBackoff } from 'cockatiel';
import {
  DeliverPolicy,
  type ConsumerMessages,
  type ConsumerNotification,
  type JetStreamClient,
  type JsMsg,
  type OrderedConsumerOptions,
} from '@nats-io/jetstream';

/** Where following starts: after a stream sequence, at a stream time, or with what comes next. */
export type FollowStart = { afterSeq: number } | { time: Date } | 'new';

export interface FollowStreamOptions {
  stream: string;
  /** One subject filter (nats-server 2.9 takes one per consumer). */
  filter: string;
  start: FollowStart;
  /** Following ends when it aborts. */
  signal: AbortSignal;
  /** Messages requested at a time. */
  batch?: number;
  /** Told why the consumer is being recreated: a lost server is worth a line in the log. */
  onRecreate?(reason: string): void;
}

/**
 * Notifications after which the ordered consumer cannot be trusted to resume by itself: the
 * client library recreates it with the start time of its first creation but deliver policy
 * "by sequence", which the server refuses, so a consumer started by time never comes back.
 */
const RECREATE_ON = new Set<ConsumerNotification['type']>([
  'reset',
  'consumer_not_found',
  'consumer_deleted',
  'stream_not_found',
  'heartbeats_missed',
]);

/**
 * A pull request's lifetime; the client expects a heartbeat every half of it, so a consumer
 * lost with its server is noticed within seconds rather than the default half-minute.
 */
const PULL_EXPIRES_MS = 5_000;
/** A lost consumer is recreated after 250 ms, doubling while it keeps failing, up to 5 s. */
const RECREATE_DELAYS = new ExponentialBackoff({
  generator: noJitterGenerator,
  initialDelay: 250,
  maxDelay: 5_000,
});

/**
 * Follows one subject filter of a stream through ordered consumers (ephemeral, flow-controlled,
 * gap-checked), yielding each message once and in stream order until the signal aborts. It
 * survives server restarts: it remembers the sequence of the last message it yielded and, when
 * the consumer is lost (reset, not found, heartbeats missed, ended with an error), recreates
 * it from the next sequence, so nothing is lost or repeated. A follower started by time is
 * recreated by time only while it has yielded nothing yet; by sequence ever after.
 */
export async function* followStream(
  js: JetStreamClient,
  options: FollowStreamOptions,
): AsyncGenerator<JsMsg> {
  const { signal } = options;
  // "What comes next" is pinned to a sequence now, so a recreated consumer resumes, not skips.
  let position: Position =
    options.start === 'new' ? { afterSeq: await lastSequence(js, options.stream) } : options.start;
  let backoff: IBackoff<unknown> | undefined;
  while (!signal.aborted) {
    let reason: string;
    let follower: Follower | undefined;
    try {
      follower = await openFollower(js, options, position);
      for await (const msg of follower.messages) {
        // A recreated consumer starts after the last message yielded: never one before it.
        if ('afterSeq' in position && msg.seq <= position.afterSeq) continue;
        position = { afterSeq: msg.seq };
        backoff = undefined;
        yield msg;
      }
      reason = follower.lost ?? 'the consumer ended';
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
      if (follower) follower.lost = reason;
    } finally {
      // Left by the caller, or lost: either way this consumer is done with.
      await follower?.close();
    }
    if (signal.aborted) break;
    options.onRecreate?.(reason);
    // Cut short when the signal aborts; the loop then ends.
    backoff = (backoff ?? RECREATE_DELAYS).next(undefined);
    await delay(backoff.duration, undefined, { signal }).catch(() => undefined);
  }
}

async function lastSequence(js: JetStreamClient, stream: string): Promise<number> {
  const jsm = await js.jetstreamManager();
  return (await jsm.streams.info(stream)).state.last_seq;
}

interface Follower {
  messages: ConsumerMessages;
  /** Why the consumer was given up, once it was. */
  lost: string | undefined;
  /** Stops the messages and deletes the consumer (in the background when lost). */
  close(): Promise<void>;
}

type Position = Exclude<FollowStart, 'new'>;

function consumerOptions(filter: string, position: Position): Partial<OrderedConsumerOptions> {
  if ('time' in position) {
    return {
      filter_subjects: filter,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: position.time.toISOString(),
    };
  }
  return {
    filter_subjects: filter,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: position.afterSeq + 1,
  };
}

async function openFollower(
  js: JetStreamClient,
  options: FollowStreamOptions,
  position: Position,
): Promise<Follower> {
  const consumer = await js.consumers.get(
    options.stream,
    consumerOptions(options.filter, position),
  );
  const messages = await consumer.consume({
    max_messages: options.batch ?? 256,
    expires: PULL_EXPIRES_MS,
  });
  const stop = () => void messages.close().catch(() => undefined);
  const follower: Follower = {
    messages,
    lost: undefined,
    async close() {
      options.signal.removeEventListener('abort', stop);
      stop();
      const deleted = consumer.delete().catch(() => false);
      // A lost consumer's server may be away: its deletion is not worth waiting for.
      if (follower.lost === undefined) await deleted;
    },
  };
  options.signal.addEventListener('abort', stop, { once: true });
  if (options.signal.aborted) stop();
  void (async () => {
    for await (const status of messages.status()) {
      if (RECREATE_ON.has(status.type)) {
        follower.lost = status.type;
        stop();
        break;
      }
    }
  })();
  return follower;
}
