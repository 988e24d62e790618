import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliverPolicy } from '@nats-io/jetstream';
import { DLQ_HEADERS, encodeJson, publishTicks, tickMessages } from '@cryptoviz/bus';
import { tickId } from '@cryptoviz/market';
import { countTicks, createPool } from '@cryptoviz/store';
import {
  connectThroughOutageProxy,
  createOutageProxy,
  createTestBus,
  createTestDatabase,
  eventually,
  sampleTicks,
  type TestBus,
  type TestDatabase,
} from '@cryptoviz/testkit';
import type { Writer, WriterOptions } from '../src/writer.ts';
import { startTestWriter } from './support.ts';

describe('writer', () => {
  let bus: TestBus;
  let db: TestDatabase;
  const writers: Writer[] = [];

  function writer(overrides: Partial<WriterOptions> = {}) {
    return startTestWriter(bus, db, overrides).then((w) => (writers.push(w), w));
  }

  beforeEach(async () => {
    [bus, db] = await Promise.all([createTestBus(), createTestDatabase()]);
  });
  afterEach(async () => {
    await Promise.all(writers.splice(0).map((w) => w.stop()));
    await Promise.all([bus.drop(), db.drop()]);
  });

  it('stores N ticks exactly once despite duplicate publishes and forced redeliveries', async () => {
    const ticks = sampleTicks(3_000);
    const first = await publishTicks(bus.nc, bus.topo, ticks);
    // A retried publish inside the duplicate window is dropped by JetStream itself (4
    // symbols of 750 ticks: 8 messages each, 7 of 100 ticks and one of 50)…
    const retried = await publishTicks(bus.nc, bus.topo, ticks);
    expect(first).toEqual({ published: 3_000, duplicates: 0 });
    expect(retried).toEqual({ published: 0, duplicates: 3_000 });
    expect((await bus.jsm.streams.info(bus.topo.streams.ticks)).state.messages).toBe(32);
    // …and a re-publish the stream cannot recognize (new msg id) is dropped by the table.
    for (const tick of ticks.slice(0, 200)) {
      await bus.js.publish(tickMessages(bus.topo, [tick])[0]!.subject, encodeJson(tick), {
        msgID: `${tickId(tick)}:again`,
      });
    }
    const w = await writer();
    await eventually(
      () => countTicks(db.pool),
      (n) => n === 3_000,
    );
    await eventually(
      async () => w.counters().stored + w.counters().duplicate,
      (n) => n === 3_200,
    );
    expect(w.counters().duplicate).toBe(200);

    // Forced redelivery of everything: replace the durable consumer with one starting over.
    await w.stop();
    writers.length = 0;
    await bus.jsm.consumers.delete(bus.topo.streams.ticks, bus.topo.consumer('writer'));
    const again = await writer();
    await eventually(
      async () => again.counters().duplicate,
      (n) => n === 3_200,
    );
    expect(await countTicks(db.pool)).toBe(3_000);
    const info = await bus.jsm.consumers.info(bus.topo.streams.ticks, bus.topo.consumer('writer'));
    expect(info.config.deliver_policy).toBe(DeliverPolicy.All);
  });

  it('dead-letters poison messages with their reason and stores the valid ones around them', async () => {
    const [good1, good2, good3] = sampleTicks(3, 'default/poison-test');
    const subject = bus.topo.tickSubject({ namespace: 'default', name: 'poison-test' }, 'BTC');
    const raw = (text: string) => new TextEncoder().encode(text);
    const bad = {
      nan: raw(JSON.stringify({ ...good1, price: 0 }).replace('"price":0', '"price":NaN')),
      infinity: raw(JSON.stringify({ ...good1, price: 0 }).replace('"price":0', '"price":1e999')),
      negative: encodeJson({ ...good1, price: -5 }),
      zero: encodeJson({ ...good1, price: 0 }),
      unknownField: encodeJson({ ...good1, exchange: 'x' }),
      wrongType: encodeJson({ ...good1, price: '42' }),
      farFuture: encodeJson({ ...good1, time: '2999-01-01T00:00:00.000Z' }),
      before2009: encodeJson({ ...good1, time: '2008-06-01T00:00:00.000Z' }),
      oversized: encodeJson({ ...good1, note: 'x'.repeat(200_000) }),
      notJson: raw('price=42'),
      wrongSubject: encodeJson({ ...good1, symbol: 'ETH' }),
    };
    await publishTicks(bus.nc, bus.topo, [good1!]);
    for (const [name, data] of Object.entries(bad)) {
      await bus.js.publish(subject, data, { msgID: `bad-${name}` });
    }
    await publishTicks(bus.nc, bus.topo, [good2!, good3!]);

    const w = await writer();
    await eventually(
      async () => w.counters().deadLettered,
      (n) => n === Object.keys(bad).length,
    );
    expect(await countTicks(db.pool)).toBe(3);

    const dlq = await bus.js.consumers.get(bus.topo.streams.dlq);
    const reasons: string[] = [];
    const batch = await dlq.fetch({ max_messages: 20, expires: 2_000 });
    for await (const msg of batch) {
      expect(msg.subject).toBe(bus.topo.dlqSubject('writer'));
      expect(msg.headers?.get(DLQ_HEADERS.originSubject)).toBe(subject);
      expect(Number(msg.headers?.get(DLQ_HEADERS.originSequence))).toBeGreaterThan(0);
      reasons.push(msg.headers?.get(DLQ_HEADERS.reason) ?? '');
      if (reasons.length === Object.keys(bad).length) break;
    }
    expect(reasons).toEqual([
      expect.stringMatching(/^invalid JSON/), // NaN is not JSON
      expect.stringMatching(/^invalid: price: /), // 1e999 parses to Infinity
      expect.stringMatching(/^invalid: price: /),
      expect.stringMatching(/^invalid: price: /),
      expect.stringMatching(/^invalid: .*exchange/),
      expect.stringMatching(/^invalid: price: .*number/),
      expect.stringMatching(/^invalid: time: is in the future/),
      expect.stringMatching(/^invalid: time: is before 2009/),
      expect.stringMatching(/^oversized: /),
      expect.stringMatching(/^invalid JSON/),
      expect.stringMatching(/^subject .* does not match the tick/),
    ]);
    expect(w.counters()).toMatchObject({ stored: 3, deadLettered: 11 });
  });

  it('stores the valid ticks of a message holding bad ones, and dead-letters it naming each', async () => {
    const ticks = sampleTicks(8, 'default/chunk-test', undefined, 1);
    const subject = bus.topo.tickSubject({ namespace: 'default', name: 'chunk-test' }, 'BTC');
    const body = [
      ticks[0],
      { ...ticks[1], price: -1 },
      ticks[2],
      { ...ticks[3], symbol: 'ETH' },
      ...ticks.slice(4),
    ];
    await bus.js.publish(subject, encodeJson(body), { msgID: 'mixed-chunk' });
    await bus.js.publish(subject, encodeJson([]), { msgID: 'empty-chunk' });
    await bus.js.publish(
      subject,
      encodeJson(sampleTicks(101, 'default/chunk-test', undefined, 1)),
      {
        msgID: 'too-long-chunk',
      },
    );

    const w = await writer();
    await eventually(
      async () => w.counters().deadLettered,
      (n) => n === 4,
    );
    expect(await countTicks(db.pool)).toBe(6);
    expect(w.counters()).toMatchObject({ stored: 6, deadLettered: 4 });
    const dlq = await bus.js.consumers.get(bus.topo.streams.dlq);
    const reasons: string[] = [];
    for await (const msg of await dlq.fetch({ max_messages: 3, expires: 2_000 })) {
      reasons.push(msg.headers?.get(DLQ_HEADERS.reason) ?? '');
      if (reasons.length === 3) break;
    }
    expect(reasons).toEqual([
      expect.stringMatching(
        /^2 problems: tick \[1\] invalid: price: .*; tick \[3\] subject .* does not match/,
      ),
      'invalid: holds 0 ticks (1 to 100 allowed)',
      'invalid: holds 101 ticks (1 to 100 allowed)',
    ]);
  });

  it('rides out a NATS outage: reconnects, resumes its consumer and stores what came meanwhile', async () => {
    const { nc, proxy, close } = await connectThroughOutageProxy(bus.url);
    try {
      await writer({ nc });
      const ticks = sampleTicks(2_000, 'default/nats-outage');
      await publishTicks(bus.nc, bus.topo, ticks.slice(0, 1_000));
      await eventually(
        () => countTicks(db.pool),
        (n) => n === 1_000,
      );
      proxy.cut();
      // Published while the writer cannot hear: JetStream keeps them for it.
      await publishTicks(bus.nc, bus.topo, ticks.slice(1_000));
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await countTicks(db.pool)).toBe(1_000);
      proxy.restore();
      await eventually(
        () => countTicks(db.pool),
        (n) => n === 2_000,
        { timeoutMs: 60_000 },
      );
    } finally {
      await Promise.all(writers.splice(0).map((w) => w.stop()));
      await close();
    }
  }, 90_000);

  it('waits out a database outage and then catches up without losing a tick', async () => {
    const target = new URL(db.url);
    const proxy = await createOutageProxy(target.hostname, Number(target.port || 5432));
    const proxied = new URL(db.url);
    proxied.port = String(proxy.port);
    const pool = createPool(proxied.toString());
    try {
      const w = await writer({ pool, ackWaitS: 2 });
      const ticks = sampleTicks(2_000, 'default/outage');
      await publishTicks(bus.nc, bus.topo, ticks.slice(0, 1_000));
      await eventually(
        () => countTicks(db.pool),
        (n) => n === 1_000,
      );

      proxy.cut();
      await publishTicks(bus.nc, bus.topo, ticks.slice(1_000));
      // Longer than ack_wait: the writer must hold its batch (working()) rather than drop it.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(w.isReady()).toBe(false);
      expect(await countTicks(db.pool)).toBe(1_000);

      proxy.restore();
      await eventually(
        () => countTicks(db.pool),
        (n) => n === 2_000,
        { timeoutMs: 30_000 },
      );
      await eventually(
        async () => w.isReady(),
        (ready) => ready,
      );
    } finally {
      await Promise.all(writers.splice(0).map((w) => w.stop()));
      await pool.end();
      await proxy.close();
    }
  });
});
