import { createInbox, headers, type NatsConnection } from '@nats-io/nats-core';

/** Counted in records (a message may carry several: see `OutgoingMessage.records`). */
export interface PublishOutcome {
  /** Newly stored by JetStream. */
  published: number;
  /** Already in the stream within the duplicate window: a retry, not a new message. */
  duplicates: number;
}

export interface OutgoingMessage {
  subject: string;
  data: Uint8Array;
  /** `Nats-Msg-Id`: the message's identity, so a retry is recognized as one. */
  msgId: string;
  /** How many records (ticks, say) the message carries; 1 when absent. */
  records?: number;
}

export interface PublishOptions {
  /** Messages awaiting their ack at any time. */
  window: number;
  /** A round gives up on unacked messages when no ack arrives for this long. */
  ackTimeoutMs: number;
  /** Rounds before giving up; later rounds resend only what was not confirmed. */
  attempts: number;
}

const DEFAULTS: PublishOptions = { window: 4_096, ackTimeoutMs: 5_000, attempts: 3 };

interface PubAck {
  seq?: number;
  duplicate?: boolean;
  error?: { description?: string };
}

export class PublishError extends Error {
  override name = 'PublishError';

  constructor(
    message: string,
    /** What was confirmed before giving up: counted, so a resend's duplicates are not news. */
    readonly outcome: PublishOutcome = { published: 0, duplicates: 0 },
  ) {
    super(message);
  }
}

/**
 * Publishes to JetStream with every message confirmed by its own PubAck, many in flight.
 * The client's `js.publish` awaits one request per message (its per-request timer and
 * promise cap a process at ~10k msgs/s); this pipelines them over one inbox instead, the
 * asynchronous-publish pattern other NATS clients ship. Unconfirmed messages are resent:
 * their msg ids make a resend harmless.
 */
export async function publishConfirmed(
  nc: NatsConnection,
  messages: readonly OutgoingMessage[],
  options: Partial<PublishOptions> = {},
): Promise<PublishOutcome> {
  const { window, ackTimeoutMs, attempts } = { ...DEFAULTS, ...options };
  const outcome: PublishOutcome = { published: 0, duplicates: 0 };
  let todo = messages.map((_, i) => i);
  let lastError = '';
  for (let attempt = 1; attempt <= attempts && todo.length > 0; attempt++) {
    const round = await publishRound(nc, messages, todo, window, ackTimeoutMs);
    outcome.published += round.published;
    outcome.duplicates += round.duplicates;
    todo = round.failed;
    lastError = round.lastError;
  }
  if (todo.length > 0) {
    throw new PublishError(
      `${todo.length} of ${messages.length} messages not confirmed by JetStream: ${lastError}`,
      outcome,
    );
  }
  return outcome;
}

async function publishRound(
  nc: NatsConnection,
  messages: readonly OutgoingMessage[],
  indexes: readonly number[],
  window: number,
  ackTimeoutMs: number,
) {
  const result = { published: 0, duplicates: 0, failed: [] as number[], lastError: '' };
  const inbox = createInbox();
  const pending = new Set<number>();
  let wake: (() => void) | undefined;
  const decoder = new TextDecoder();
  const sub = nc.subscribe(`${inbox}.*`, {
    callback: (err, msg) => {
      if (err) return;
      const index = Number(msg.subject.slice(inbox.length + 1));
      if (!pending.delete(index)) return;
      if (msg.headers?.code === 503) {
        result.failed.push(index);
        result.lastError = `no stream captures ${messages[index]!.subject}`;
      } else {
        const ack = JSON.parse(decoder.decode(msg.data)) as PubAck;
        if (ack.error) {
          result.failed.push(index);
          result.lastError = ack.error.description ?? 'JetStream refused the message';
        } else if (ack.duplicate) result.duplicates += messages[index]!.records ?? 1;
        else result.published += messages[index]!.records ?? 1;
      }
      wake?.();
    },
  });
  /** Waits for progress; false when none came within the ack timeout. */
  const progress = () =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ackTimeoutMs);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve(true);
      };
    });
  try {
    for (const index of indexes) {
      while (pending.size >= window) {
        if (!(await progress())) break;
      }
      const message = messages[index]!;
      const h = headers();
      h.set('Nats-Msg-Id', message.msgId);
      pending.add(index);
      nc.publish(message.subject, message.data, { headers: h, reply: `${inbox}.${index}` });
    }
    while (pending.size > 0) {
      if (!(await progress())) {
        result.lastError = `no acknowledgement within ${ackTimeoutMs} ms`;
        result.failed.push(...pending);
        pending.clear();
      }
    }
  } finally {
    sub.unsubscribe();
  }
  return result;
}
