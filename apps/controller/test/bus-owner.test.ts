import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_STREAM_LIMITS,
  deleteStreams,
  HEARTBEAT_TTL_MS,
  heartbeatStream,
  missingBusInfrastructure,
  streamConfigs,
  topology,
  type Topology,
} from '@cryptoviz/bus';
import { startOwnNats, type OwnNats } from '@cryptoviz/devenv';
import { eventually, testInfra, uniqueName } from '@cryptoviz/testkit';
import { freePort } from '@cryptoviz/workloads';
import { connectControllerBus } from '../src/index.ts';

/** A connection of the test's own, to look at and tamper with what the controller declared. */
async function lookingOn(url: string) {
  const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  return { nc, jsm: await jetstreamManager(nc) };
}

/** `streams` and the bucket there, each with the settings this controller declares. */
async function expectAsDeclared(jsm: JetStreamManager, topo: Topology, streams: string[]) {
  const configs = streamConfigs(topo, DEFAULT_STREAM_LIMITS);
  for (const config of configs.filter((declared) => streams.includes(declared.name))) {
    expect((await jsm.streams.info(config.name)).config).toMatchObject(config);
  }
  const bucket = await (await new Kvm(jsm.jetstream()).open(topo.heartbeatBucket)).status();
  expect({ history: bucket.history, ttl: bucket.ttl }).toEqual({
    history: 1,
    ttl: HEARTBEAT_TTL_MS,
  });
}

const allThere = (jsm: JetStreamManager, topo: Topology) => () =>
  missingBusInfrastructure(jsm, topo);
const nothingMissing = (missing: string | undefined) => missing === undefined;
const AN_HOUR_NS = 3_600 * 1e9;

describe('the controller owns the streams and the heartbeat bucket', () => {
  it('declares them when it connects, where nothing existed', async () => {
    const nc = await connect({ servers: testInfra().natsUrl });
    const jsm = await jetstreamManager(nc);
    const topo = topology(uniqueName('owner').toLowerCase());
    try {
      expect(await missingBusInfrastructure(jsm, topo)).toContain(topo.streams.ticks);
      const bus = await connectControllerBus(
        testInfra().natsUrl,
        topo.namespace,
        'owner',
        () => undefined,
      );
      await bus.close();
      expect(await missingBusInfrastructure(jsm, topo)).toBeUndefined();
    } finally {
      await deleteStreams(jsm, topo);
      await nc.close();
    }
  });

  it('re-creates, on its timer, a stream and the bucket deleted while it runs, and leaves a stream someone changed as it is', async () => {
    const { nc, jsm } = await lookingOn(testInfra().natsUrl);
    const topo = topology(uniqueName('timer').toLowerCase());
    const bus = await connectControllerBus(
      testInfra().natsUrl,
      topo.namespace,
      'owner',
      () => undefined,
      { recheckMs: 200 },
    );
    try {
      // Someone else (a newer controller) keeps ticks for an hour, not the default week.
      const ticks = (await jsm.streams.info(topo.streams.ticks)).config;
      await jsm.streams.update(topo.streams.ticks, { ...ticks, max_age: AN_HOUR_NS });
      // The bucket is declared last: a recheck that brings it back has looked at ticks too.
      await jsm.streams.delete(topo.streams.dlq);
      await jsm.streams.delete(heartbeatStream(topo));

      await eventually(allThere(jsm, topo), nothingMissing);
      await expectAsDeclared(jsm, topo, [topo.streams.dlq]);
      expect((await jsm.streams.info(topo.streams.ticks)).config.max_age).toBe(AN_HOUR_NS);
    } finally {
      await bus.close();
      await deleteStreams(jsm, topo);
      await nc.close();
    }
  });

  describe('across NATS restarts (a nats-server of its own)', { timeout: 120_000 }, () => {
    let nats: OwnNats;

    beforeAll(async () => {
      nats = await startOwnNats({ port: await freePort() });
    });
    afterAll(async () => {
      await nats?.stop();
    });

    it('re-creates the streams and the bucket, with its settings, when NATS comes back without its data', async () => {
      const { nc, jsm } = await lookingOn(nats.url);
      const topo = topology(uniqueName('restart').toLowerCase());
      // The timer cannot be what re-declares here: only the reconnect can.
      const bus = await connectControllerBus(nats.url, topo.namespace, 'owner', () => undefined, {
        recheckMs: 3_600_000,
      });
      try {
        // Back without its data: JetStream keeps all of it under jetstream/ in the store.
        await nats.crash();
        rmSync(join(nats.storeDir, 'jetstream'), { recursive: true, force: true });
        await nats.start();
        await eventually(allThere(jsm, topo), nothingMissing);
        await expectAsDeclared(jsm, topo, Object.values(topo.streams));
      } finally {
        await nats.start();
        await bus.close();
        await nc.close();
      }
    });

    it('says a recheck failed while NATS is away, and rechecks again once it is back', async () => {
      const { nc, jsm } = await lookingOn(nats.url);
      const topo = topology(uniqueName('away').toLowerCase());
      const said: string[] = [];
      const bus = await connectControllerBus(
        nats.url,
        topo.namespace,
        'owner',
        (message) => said.push(message),
        { recheckMs: 200 },
      );
      try {
        await nats.crash();
        await eventually(
          async () => said,
          (lines) => lines.some((line) => line.includes('could not re-declare')),
          // A recheck gives up only once its requests have timed out, one after another.
          { timeoutMs: 60_000 },
        );
        await nats.start();
        await eventually(allThere(jsm, topo), nothingMissing);
        // Still rechecking after the failure: the reconnect re-declares at most once, so a
        // stream deleted twice comes back the second time on the timer.
        for (let time = 0; time < 2; time++) {
          await jsm.streams.delete(topo.streams.predictions);
          await eventually(allThere(jsm, topo), nothingMissing);
        }
      } finally {
        await nats.start();
        await bus.close();
        await deleteStreams(jsm, topo);
        await nc.close();
      }
    });
  });
});
