import { headers } from '@nats-io/nats-core';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Topology } from './topology.ts';

export const DLQ_HEADERS = {
  reason: 'CryptoViz-Reason',
  originSubject: 'CryptoViz-Origin-Subject',
  originStream: 'CryptoViz-Origin-Stream',
  originSequence: 'CryptoViz-Origin-Seq',
} as const;

/** Headers cannot hold newlines, and a reason longer than this helps nobody. */
function headerSafe(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 1000);
}

export interface DeadLetter {
  /** Which worker stage refused it: `writer`, `fetcher`, … (the DLQ subject's last token). */
  origin: string;
  reason: string;
  data: Uint8Array;
  subject?: string;
  stream?: string;
  sequence?: number;
}

/**
 * Parks a message in the DLQ with the reason it was refused. The msg id makes a
 * redelivered poison message land there once, not once per delivery.
 */
export async function deadLetter(
  js: JetStreamClient,
  topo: Topology,
  letter: DeadLetter,
): Promise<void> {
  const h = headers();
  h.set(DLQ_HEADERS.reason, headerSafe(letter.reason));
  if (letter.subject) h.set(DLQ_HEADERS.originSubject, letter.subject);
  if (letter.stream) h.set(DLQ_HEADERS.originStream, letter.stream);
  if (letter.sequence !== undefined) h.set(DLQ_HEADERS.originSequence, String(letter.sequence));
  const msgID =
    letter.stream && letter.sequence !== undefined
      ? `dlq:${letter.stream}:${letter.sequence}`
      : undefined;
  await js.publish(topo.dlqSubject(letter.origin), letter.data, {
    headers: h,
    ...(msgID ? { msgID } : {}),
  });
}

export function deadLetterFromMessage(origin: string, msg: JsMsg, reason: string): DeadLetter {
  return {
    origin,
    reason,
    data: msg.data,
    subject: msg.subject,
    stream: msg.info.stream,
    sequence: msg.seq,
  };
}
