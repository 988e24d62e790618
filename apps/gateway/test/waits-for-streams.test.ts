import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { declareBusInfrastructure, deleteStreams, topology } from '@cryptoviz/bus';
import { startService } from '@cryptoviz/runtime';
import { createTestDatabase, testInfra, uniqueName } from '@cryptoviz/testkit';
import { gatewayService } from '../src/index.ts';

describe('the gateway and the streams it does not own', () => {
  it('waits for the controller to declare the streams and the bucket, then serves', async () => {
    const nc = await connect({ servers: testInfra().natsUrl });
    const jsm = await jetstreamManager(nc);
    const topo = topology(uniqueName('gw-early').toLowerCase());
    const db = await createTestDatabase();
    // Every look the gateway takes for the TICKS stream, seen on the JetStream API subject.
    const looks = nc.subscribe(`$JS.API.STREAM.INFO.${topo.streams.ticks}`);
    let started = false;
    const starting = startService(gatewayService, {
      NATS_URL: testInfra().natsUrl,
      CRYPTOVIZ_NAMESPACE: topo.namespace,
      DATABASE_URL: db.url,
      HTTP_PORT: '0',
      GATEWAY_PORT: '0',
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_MANIFESTS: mkdtempSync(join(tmpdir(), 'gateway-manifests-')),
      LOG_LEVEL: 'silent',
    });
    void starting.then(() => (started = true));
    try {
      let seen = 0;
      for await (const _ of looks) if (++seen === 2) break;
      // It looked twice and found nothing: still starting, and it created nothing itself.
      expect(started).toBe(false);
      await expect(jsm.streams.info(topo.streams.ticks)).rejects.toThrow(/stream not found/);

      await declareBusInfrastructure(jsm, topo);
      const service = await starting;
      await service.stop();
    } finally {
      await deleteStreams(jsm, topo);
      await db.drop();
      await nc.close();
    }
  });
});
