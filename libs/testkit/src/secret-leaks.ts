import type { JetStreamManager } from '@nats-io/jetstream';

/** Shortest piece of a secret a test counts as a leak (a shorter one is ordinary text). */
const MIN_LEAK = 6;

/**
 * What of `secret` shows in `text`: the secret raw, URL-encoded or base64-encoded, whole or
 * any run of at least six characters of those forms. Empty means nothing leaked. Written
 * apart from the scrubber on purpose: a test must not share the code it checks.
 */
export function secretLeaks(text: string, secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
  const found = new Set<string>();
  for (const form of forms) {
    for (let i = 0; i + MIN_LEAK <= form.length; i++) {
      const piece = form.slice(i, i + MIN_LEAK);
      if (text.includes(piece)) found.add(piece);
    }
  }
  return [...found];
}

/** Every message of a stream as text, its headers included: what a leak scan reads. */
export async function streamTexts(jsm: JetStreamManager, stream: string): Promise<string[]> {
  const info = await jsm.streams.info(stream);
  const texts: string[] = [];
  for (
    let seq = info.state.first_seq;
    info.state.messages > 0 && seq <= info.state.last_seq;
    seq++
  ) {
    const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (msg)
      texts.push(`${msg.subject} ${JSON.stringify([...(msg.header ?? [])])} ${msg.string()}`);
  }
  return texts;
}
