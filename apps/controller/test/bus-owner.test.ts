import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, inject, it } from 'vitest';
import { deleteStreams, missingBusInfrastructure, topology } from '@cryptoviz/bus';
import { uniqueName } from '@cryptoviz/testkit';
import { connectControllerBus } from '../src/index.ts';

describe('the controller owns the streams and the heartbeat bucket', () => {
  it('declares them when it connects, where nothing existed', async () => {
    const nc = await connect({ servers: inject('infra').natsUrl });
    const jsm = await jetstreamManager(nc);
    const topo = topology(uniqueName('owner').toLowerCase());
    try {
      expect(await missingBusInfrastructure(jsm, topo)).toContain(topo.streams.ticks);
      const bus = await connectControllerBus(
        inject('infra').natsUrl,
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
});
