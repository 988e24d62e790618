import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { encodeJson, openHeartbeats, publishConfirmed, putHeartbeat } from '@cryptoviz/bus';
import { eventually, testHeartbeat } from '@cryptoviz/testkit';
import { LAG_WARNING } from '@cryptoviz/api';
import { prediction } from './fixtures.ts';
import { openSse } from './sse-client.ts';
import { startTestGateway, type TestGateway } from './support.ts';

/**
 * Health against a real backlog: a gateway of its own, so the durable consumer made here
 * never shows up in other tests' consumer counts, and its ingest window starts with the test.
 */
describe('pipeline health against a real backlog', () => {
  let gw: TestGateway;
  let durable: string;
  let published = 0;

  /** `count` more tick messages nobody has written yet (the payload is not looked at). */
  async function backlog(count: number) {
    const from = published;
    published += count;
    await publishConfirmed(
      gw.bus.nc,
      Array.from({ length: count }, (_, i) => ({
        subject: gw.bus.topo.tickSubject({ namespace: 'default', name: 'backlog' }, 'BTC'),
        data: encodeJson({ n: from + i }),
        msgId: `backlog-${from + i}`,
      })),
    );
  }

  const lagOf = async () => {
    const health = await gw.client.health.pipeline.query();
    return { health, lag: health.lag.find((l) => l.consumer === durable) };
  };

  beforeAll(async () => {
    gw = await startTestGateway();
    durable = gw.bus.topo.consumer('writer');
    // The writer's durable consumer, as the writer declares it, with nobody reading.
    await gw.bus.jsm.consumers.add(gw.bus.topo.streams.ticks, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: gw.bus.topo.ticksFilter(),
    });
  });
  afterAll(async () => {
    await gw.stop();
  });

  it('reports a durable consumer: pending, delivered but unacked, and the ack floor', async () => {
    await backlog(30);
    // A writer took five messages and committed two of them before it stalled.
    const consumer = await gw.bus.js.consumers.get(gw.bus.topo.streams.ticks, durable);
    const taken: JsMsg[] = [];
    for await (const msg of await consumer.fetch({ max_messages: 5, expires: 5_000 })) {
      taken.push(msg);
      if (taken.length === 5) break;
    }
    expect(taken).toHaveLength(5);
    for (const msg of taken.slice(0, 2)) expect(await msg.ackAck()).toBe(true);

    // A live view's ephemeral consumer on the same stream is not lag.
    const live = await openSse(`${gw.url}/trpc/live.ticks`);
    try {
      await eventually(
        async () => (await gw.bus.jsm.consumers.list(gw.bus.topo.streams.ticks).next()).length,
        (n) => n === 2,
      );
      const { health, lag } = await lagOf();
      expect(health.lag).toHaveLength(1);
      expect(lag).toEqual({
        stream: gw.bus.topo.streams.ticks,
        consumer: durable,
        pending: 25,
        ackPending: 3,
        redelivered: 0,
        ackFloor: taken[1]!.seq,
      });
      // 25 behind is no reason for a warning.
      expect(health.problems.map((p) => p.message).join('\n')).not.toContain(durable);
    } finally {
      live.close();
    }
  });

  it(`warns once a consumer is ${LAG_WARNING} messages behind`, async () => {
    const before = (await lagOf()).lag!.pending;
    await backlog(LAG_WARNING - 1 - before);
    const below = await lagOf();
    expect(below.lag!.pending).toBe(LAG_WARNING - 1);
    expect(below.health.problems.map((p) => p.message).join('\n')).not.toContain(durable);
    await backlog(1);
    const { health, lag } = await lagOf();
    expect(lag!.pending).toBe(LAG_WARNING);
    expect(health.problems).toContainEqual({
      severity: 'warning',
      message: `consumer ${durable} is ${LAG_WARNING} messages behind on ${gw.bus.topo.streams.ticks}`,
    });
    expect(health.status).not.toBe('ok');
  });

  it('reports the ingest rate from fetcher ticksPublished counters and the predictions stream', async () => {
    const kv = await openHeartbeats(gw.bus.js, gw.bus.topo);
    // A fetcher that started after the gateway: every tick it published falls in the window.
    const startedAt = new Date().toISOString();
    await putHeartbeat(
      kv,
      testHeartbeat('fetcher', {
        id: 'fetcher-rate-0',
        resource: 'sim',
        startedAt,
        lastSeen: startedAt,
        counters: { ticksPublished: 600 },
      }),
    );
    for (let i = 0; i < 3; i++) {
      const p = prediction('ridge-btc', new Date(), 100, 101 + i);
      await gw.bus.js.publish(
        gw.bus.topo.predictionSubject({ namespace: 'default', name: 'ridge-btc' }, 'BTC'),
        encodeJson(p),
      );
    }
    // The gateway samples every 5 s; a sample after the beat and the forecasts carries them.
    const { ingest } = await eventually(
      () => gw.client.health.pipeline.query(),
      (h) => (h.ingest.ticksPerSecond ?? 0) > 0 && (h.ingest.predictionsPerSecond ?? 0) > 0,
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(ingest.windowS).toEqual(expect.any(Number));
    expect(ingest.windowS).toBeGreaterThan(0);
    expect(typeof ingest.ticksPerSecond).toBe('number');
    expect(ingest.ticksPerSecond! * ingest.windowS!).toBeCloseTo(600, 6);
    expect(ingest.predictionsPerSecond! * ingest.windowS!).toBeCloseTo(3, 6);
  }, 45_000);
});
