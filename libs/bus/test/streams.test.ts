import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { testInfra, uniqueName } from '@cryptoviz/testkit';
import { DEFAULT_STREAM_LIMITS, deleteStreams, declareStreams, topology } from '../src/index.ts';

describe('stream declarations on a real JetStream', () => {
  it('creates TICKS, PREDICTIONS and DLQ with file storage, limits and a duplicate window, idempotently', async () => {
    const nc = await connect({ servers: testInfra().natsUrl });
    const jsm = await jetstreamManager(nc);
    const topo = topology(uniqueName('streams'));
    try {
      // Several workers start at once: every one declares, none fails.
      await Promise.all([declareStreams(jsm, topo), declareStreams(jsm, topo)]);
      const ticks = (await jsm.streams.info(topo.streams.ticks)).config;
      expect(ticks).toMatchObject({
        subjects: [`${topo.namespace}.ticks.>`],
        storage: StorageType.File,
        max_age: nanos(DEFAULT_STREAM_LIMITS.ticksMaxAgeMs),
        max_bytes: DEFAULT_STREAM_LIMITS.ticksMaxBytes,
        duplicate_window: nanos(DEFAULT_STREAM_LIMITS.duplicateWindowMs),
      });
      expect((await jsm.streams.info(topo.streams.predictions)).config.subjects).toEqual([
        `${topo.namespace}.predictions.>`,
      ]);
      expect((await jsm.streams.info(topo.streams.dlq)).config.max_age).toBe(
        nanos(DEFAULT_STREAM_LIMITS.dlqMaxAgeMs),
      );

      // A later start with other limits brings the existing streams to them, keeping data.
      nc.publish(topo.tickSubject({ namespace: 'default', name: 's' }, 'BTC'), '{}');
      await nc.flush();
      const limits = {
        ...DEFAULT_STREAM_LIMITS,
        ticksMaxAgeMs: 3_600_000,
        duplicateWindowMs: 30_000,
      };
      await declareStreams(jsm, topo, limits);
      const updated = await jsm.streams.info(topo.streams.ticks);
      expect(updated.config.max_age).toBe(nanos(3_600_000));
      expect(updated.config.duplicate_window).toBe(nanos(30_000));
      expect(updated.state.messages).toBe(1);
    } finally {
      await deleteStreams(jsm, topo);
      await nc.close();
    }
  });
});
