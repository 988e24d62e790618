import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { followStream } from '@cryptoviz/bus';

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
 * Reads a stream from a sequence or from now, until the signal aborts, through followStream:
 * ordered consumers recreated where they left off if NATS restarts, so a live view neither
 * misses nor repeats a message.
 */
export async function* readStream(
  js: JetStreamClient,
  jsm: JetStreamManager,
  options: StreamReadOptions,
): AsyncGenerator<StreamMessage> {
  let afterSeq: number | undefined;
  if (options.afterSeq !== undefined) {
    const { state } = await jsm.streams.info(options.stream);
    afterSeq = Math.max(options.afterSeq, state.last_seq - options.maxReplay, 0);
  }
  const messages = followStream(js, {
    stream: options.stream,
    filter: options.filter,
    start: afterSeq === undefined ? 'new' : { afterSeq },
    signal: options.signal,
    batch: 512,
  });
  for await (const msg of messages) {
    yield { seq: msg.seq, subject: msg.subject, data: msg.data };
  }
}
