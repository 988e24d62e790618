import type { NatsConnection } from '@nats-io/nats-core';
import { formatIssues, parseResourceKey } from '@cryptoviz/resources';
import { tickId, tickSchema, type Tick } from '@cryptoviz/market';
import { encodeJson, parseJsonMessage } from './codec.ts';
import {
  publishConfirmed,
  type OutgoingMessage,
  type PublishOptions,
  type PublishOutcome,
} from './publish.ts';
import type { Topology } from './topology.ts';

/**
 * Ticks of one source and symbol published together (a backfill, a fast replay) share a
 * message, up to this many: the per-message costs of NATS (headers, acks, a stored record
 * each) then fall on a hundred ticks instead of one. About 25 KB of JSON.
 */
export const MAX_TICKS_PER_MESSAGE = 100;
/** A tick is ~250 bytes of JSON; a message beyond this is garbage or an attack. */
export const MAX_TICK_MESSAGE_BYTES = MAX_TICKS_PER_MESSAGE * 1024;

/**
 * The messages for some ticks: one per tick when a symbol has one (a live poll), an array
 * of up to {@link MAX_TICKS_PER_MESSAGE} ticks in time order when it has more. The msg id is
 * the content's identity either way, so a retry is recognized as one.
 */
export function tickMessages(
  topo: Topology,
  ticks: Iterable<Tick>,
  maxPerMessage = MAX_TICKS_PER_MESSAGE,
): OutgoingMessage[] {
  const bySubject = new Map<string, Tick[]>();
  for (const tick of ticks) {
    const subject = topo.tickSubject(parseResourceKey(tick.source, 'source'), tick.symbol);
    const group = bySubject.get(subject);
    if (group) group.push(tick);
    else bySubject.set(subject, [tick]);
  }
  const messages: OutgoingMessage[] = [];
  for (const [subject, group] of bySubject) {
    if (group.length === 1) {
      messages.push({ subject, data: encodeJson(group[0]), msgId: tickId(group[0]!) });
      continue;
    }
    group.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    for (let i = 0; i < group.length; i += maxPerMessage) {
      const chunk = group.slice(i, i + maxPerMessage);
      const [first, last] = [chunk[0]!, chunk.at(-1)!];
      messages.push({
        subject,
        data: encodeJson(chunk.length === 1 ? first : chunk),
        msgId: chunk.length === 1 ? tickId(first) : `${tickId(first)}/${last.time}/${chunk.length}`,
        records: chunk.length,
      });
    }
  }
  return messages;
}

/** Publishes ticks (see {@link tickMessages}), every message confirmed by JetStream. */
export function publishTicks(
  nc: NatsConnection,
  topo: Topology,
  ticks: Iterable<Tick>,
  options?: Partial<PublishOptions>,
): Promise<PublishOutcome> {
  return publishConfirmed(nc, tickMessages(topo, ticks), options);
}

export interface DecodedTicks {
  /** The message's valid ticks, in the order it holds them. */
  ticks: Tick[];
  /** Why the message, or some of its ticks, could not be used; empty when all were. */
  problems: string[];
}

/**
 * Decodes a tick message (one tick, or an array of ticks of one source and symbol) and
 * checks every tick was published where its own fields say it belongs. Never throws: the
 * valid ticks of a message are usable even when others in it are not.
 */
export function decodeTicks(topo: Topology, subject: string, data: Uint8Array): DecodedTicks {
  const parsed = parseJsonMessage(data, MAX_TICK_MESSAGE_BYTES);
  if (!parsed.ok) return { ticks: [], problems: [parsed.reason] };
  const body = parsed.value;
  const many = Array.isArray(body);
  if (many && (body.length === 0 || body.length > MAX_TICKS_PER_MESSAGE)) {
    return {
      ticks: [],
      problems: [`invalid: holds ${body.length} ticks (1 to ${MAX_TICKS_PER_MESSAGE} allowed)`],
    };
  }
  const ticks: Tick[] = [];
  const problems: string[] = [];
  (many ? body : [body]).forEach((item: unknown, index) => {
    const where = many ? `tick [${index}] ` : '';
    const result = tickSchema.safeParse(item);
    if (!result.success) {
      problems.push(`${where}invalid: ${formatIssues(result.error)}`);
      return;
    }
    const expected = topo.tickSubject(parseResourceKey(result.data.source), result.data.symbol);
    if (subject !== expected) {
      problems.push(`${where}subject ${subject} does not match the tick (expected ${expected})`);
      return;
    }
    ticks.push(result.data);
  });
  return { ticks, problems };
}
