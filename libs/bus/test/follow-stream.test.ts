// followStream across a nats-server crash (SIGKILL) and restart on the same store: every
// follower, whether started by time (the predictor), with what comes next or after a sequence
// (the gateway's live views), gets each message once, in order, after the restart too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jetstream,
  jetstreamManager,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startOwnNats, type OwnNats } from '@cryptoviz/devenv';
import { eventually } from '@cryptoviz/testkit';
import { freePort } from '@cryptoviz/workloads';
import { followStream, type FollowStart } from '../src/index.ts';

const STREAM = 'FOLLOW';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const decoder = new TextDecoder();

describe('followStream across a NATS restart', { timeout: 120_000 }, () => {
  let nats: OwnNats;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  const stopping = new AbortController();

  beforeAll(async () => {
    nats = await startOwnNats({ port: await freePort() });
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAM, subjects: ['follow.>'], storage: StorageType.File });
  });

  afterAll(async () => {
    stopping.abort();
    await nc?.close();
    await nats?.stop();
  });

  /** Publishes until the server confirms: it may still be coming back. */
  async function publish(subject: string, text: string): Promise<number> {
    for (;;) {
      try {
        return (await js.publish(subject, text, { msgID: `${subject}:${text}` })).seq;
      } catch {
        await sleep(200);
      }
    }
  }

  /** Follows `filter` in the background, collecting each message's subject:text. */
  function follow(filter: string, start: FollowStart) {
    const seen: string[] = [];
    const reasons: string[] = [];
    void (async () => {
      const messages = followStream(js, {
        stream: STREAM,
        filter,
        start,
        signal: stopping.signal,
        onRecreate: (reason) => reasons.push(reason),
      });
      for await (const msg of messages) seen.push(`${msg.subject}:${decoder.decode(msg.data)}`);
    })();
    return { seen, reasons };
  }

  it('loses and repeats nothing, by time, from now and after a sequence', async () => {
    for (const n of [1, 2, 3]) await publish('follow.a', `before-${n}`);
    const afterSeq = await publish('follow.b', 'before-b');
    await sleep(50);
    const from = new Date();
    await sleep(50);
    for (const n of [4, 5]) await publish('follow.a', `before-${n}`);

    const byTime = follow('follow.a', { time: from });
    const fromNow = follow('follow.a', 'new');
    const afterB = follow('follow.>', { afterSeq });
    // Each has its consumer (the "new" one pinned to where the stream ended before it).
    await eventually(
      async () => (await jsm.consumers.list(STREAM).next()).length,
      (n) => n === 3,
    );

    const written = ['live-1', 'live-2'];
    for (const text of written) await publish('follow.a', text);
    await eventually(
      async () => fromNow.seen.length,
      (n) => n === written.length,
    );

    await nats.crash();
    await sleep(1_000);
    await nats.start();
    const afterRestart = ['restarted-1', 'restarted-2', 'restarted-3'];
    for (const text of afterRestart) await publish('follow.a', text);
    // Anything repeated would come before this last message.
    await publish('follow.a', 'last');

    const live = [...written, ...afterRestart, 'last'].map((t) => `follow.a:${t}`);
    await eventually(
      async () => [byTime, fromNow, afterB].map((f) => f.seen),
      (seen) => seen.every((s) => s.at(-1) === 'follow.a:last'),
      { timeoutMs: 60_000 },
    );

    expect(byTime.seen).toEqual(['follow.a:before-4', 'follow.a:before-5', ...live]);
    expect(fromNow.seen).toEqual(live);
    expect(afterB.seen).toEqual(['follow.a:before-4', 'follow.a:before-5', ...live]);
    // Each lost its consumer with the server and made a new one.
    for (const f of [byTime, fromNow, afterB]) expect(f.reasons.length).toBeGreaterThan(0);
  });
});
