import { jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { eventually, testInfra, uniqueName } from '@cryptoviz/testkit';
import {
  declareBusInfrastructure,
  DEFAULT_STREAM_LIMITS,
  deleteStreams,
  missingBusInfrastructure,
  openHeartbeats,
  openWorkerBus,
  readHeartbeat,
  topology,
} from '../src/index.ts';

async function ownerConnection() {
  const nc = await connect({ servers: testInfra().natsUrl });
  return { nc, jsm: await jetstreamManager(nc) };
}

describe('the streams and the heartbeat bucket have one owner', () => {
  it('a worker started before they exist waits, says what for, and proceeds once the owner declares them', async () => {
    const { nc, jsm } = await ownerConnection();
    const topo = topology(uniqueName('early').toLowerCase());
    const said: string[] = [];
    const config = {
      NATS_URL: testInfra().natsUrl,
      CRYPTOVIZ_NAMESPACE: topo.namespace,
      WORKER_ID: 'early-worker',
    };
    try {
      let opened = false;
      const opening = openWorkerBus(config, { info: () => {}, warn: (m: string) => said.push(m) });
      void opening.then(() => (opened = true));
      await eventually(
        async () => said,
        (lines) => lines.length > 0,
      );
      expect(said[0]).toContain(`no JetStream stream ${topo.streams.ticks}`);
      expect(said[0]).toContain('the controller declares them');
      // Waiting is all it does: nothing was created behind the owner's back.
      expect(opened).toBe(false);
      expect(await missingBusInfrastructure(jsm, topo)).toContain(topo.heartbeatBucket);

      await declareBusInfrastructure(jsm, topo);
      const bus = await opening;
      const beat = bus.heartbeat({ role: 'writer' }, () => ({
        counters: { stored: 0, duplicate: 0, deadLettered: 0, batches: 0 },
        details: {},
      }));
      const heartbeats = await openHeartbeats(bus.js, topo);
      await eventually(
        () => readHeartbeat(heartbeats, { role: 'writer', id: 'early-worker' }),
        (found) => found !== undefined,
      );
      await beat.stop();
      await bus.close();
    } finally {
      await deleteStreams(jsm, topo);
      await nc.close();
    }
  });

  it('a worker never changes the settings of streams the owner declared', async () => {
    const { nc, jsm } = await ownerConnection();
    const topo = topology(uniqueName('owned').toLowerCase());
    // The owner of another version keeps ticks for an hour, not the default week.
    await declareBusInfrastructure(jsm, topo, {
      ...DEFAULT_STREAM_LIMITS,
      ticksMaxAgeMs: 3_600_000,
    });
    try {
      const bus = await openWorkerBus(
        {
          NATS_URL: testInfra().natsUrl,
          CRYPTOVIZ_NAMESPACE: topo.namespace,
          WORKER_ID: 'late-worker',
        },
        { info: () => {}, warn: () => {} },
      );
      await bus.close();
      expect((await jsm.streams.info(topo.streams.ticks)).config.max_age).toBe(nanos(3_600_000));
    } finally {
      await deleteStreams(jsm, topo);
      await nc.close();
    }
  });

  it('a running owner re-creates what went missing and leaves what exists as it is', async () => {
    const { nc, jsm } = await ownerConnection();
    const topo = topology(uniqueName('recheck').toLowerCase());
    // Declared by a newer owner: ticks kept for an hour.
    await declareBusInfrastructure(jsm, topo, {
      ...DEFAULT_STREAM_LIMITS,
      ticksMaxAgeMs: 3_600_000,
    });
    try {
      await jsm.streams.delete(topo.streams.dlq);
      // An older owner's recheck, with its own (default) limits.
      await declareBusInfrastructure(jsm, topo, DEFAULT_STREAM_LIMITS, 'keep');
      expect(await missingBusInfrastructure(jsm, topo)).toBeUndefined();
      expect((await jsm.streams.info(topo.streams.ticks)).config.max_age).toBe(nanos(3_600_000));
      // A starting owner does bring what exists to its settings.
      await declareBusInfrastructure(jsm, topo);
      expect((await jsm.streams.info(topo.streams.ticks)).config.max_age).toBe(
        nanos(DEFAULT_STREAM_LIMITS.ticksMaxAgeMs),
      );
    } finally {
      await deleteStreams(jsm, topo);
      await nc.close();
    }
  });
});
