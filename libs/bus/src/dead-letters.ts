import type { JetStreamManager } from '@nats-io/jetstream';
import { DLQ_HEADERS } from './dlq.ts';
import type { Topology } from './topology.ts';

export interface DeadLetterSummary {
  sequence: number;
  time: string;
  /** The stage that refused it: the DLQ subject's last token. */
  origin: string;
  reason: string;
  originSubject: string | null;
}

/** The DLQ's size and its newest letters (newest first), for a health view. */
export async function recentDeadLetters(
  jsm: JetStreamManager,
  topo: Topology,
  count: number,
): Promise<{ total: number; recent: DeadLetterSummary[] }> {
  const info = await jsm.streams.info(topo.streams.dlq).catch(() => undefined);
  if (!info || info.state.messages === 0) return { total: 0, recent: [] };
  const recent: DeadLetterSummary[] = [];
  const first = info.state.first_seq;
  for (let seq = info.state.last_seq; seq >= first && recent.length < count; seq--) {
    const msg = await jsm.streams.getMessage(topo.streams.dlq, { seq }).catch(() => null);
    if (!msg) continue;
    recent.push({
      sequence: msg.seq,
      time: msg.time.toISOString(),
      origin: msg.subject.split('.').at(-1) ?? msg.subject,
      reason: msg.header.get(DLQ_HEADERS.reason) || 'unknown',
      originSubject: msg.header.get(DLQ_HEADERS.originSubject) || null,
    });
  }
  return { total: info.state.messages, recent };
}
