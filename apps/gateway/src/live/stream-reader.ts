import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';

export interface StreamMessage {
  /** The stream sequence: the SSE event id a client resumes from. */
  seq: number;
  subject: string;
  data: Uint8Array;
}

export interface StreamReadOptions {
  stream: string;
  /** One subject filter (nats-server 2.9 takes one per consumer). */
  filter: string;
  /** Resume after this sequence; absent: only messages arriving from now on. */
  afterSeq?: number;
  /** At most this many older messages are replayed on resume; older ones are skipped. */
  maxReplay: number;
  signal: AbortSignal;
}

/**
 * Reads a stream through an ordered consumer (ephemeral, flow-controlled, gap-checked by the
 * client library: it recreates itself from the last sequence it saw if a message goes
 * missing), from a sequence or from now, until the signal aborts.
 */
export async function* readStream(
  js: JetStreamClient,
  jsm: JetStreamManager,
  options: StreamReadOptions,
): AsyncGenerator<StreamMessage> {
  let startSeq: number | undefined;
  if (options.afterSeq !== undefined) {
    const { state } = await jsm.streams.info(options.stream);
    startSeq = Math.max(options.afterSeq + 1, state.last_seq + 1 - options.maxReplay, 1);
  }
  const consumer = await js.consumers.get(options.stream, {
    filter_subjects: options.filter,
    ...(startSeq === undefined
      ? { deliver_policy: DeliverPolicy.New }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }),
  });
  const messages = await consumer.consume({ max_messages: 512 });
  const stop = () => void messages.close().catch(() => undefined);
  if (options.signal.aborted) stop();
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const msg of messages) {
      yield { seq: msg.seq, subject: msg.subject, data: msg.data };
    }
  } finally {
    options.signal.removeEventListener('abort', stop);
    stop();
    await consumer.delete().catch(() => undefined);
  }
}
