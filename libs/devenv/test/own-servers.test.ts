import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '@cryptoviz/workloads';
import { canConnect, probeNats, startOwnNats, startOwnPostgres } from '../src/index.ts';

describe('servers of a test of its own', () => {
  it('a nats-server on a store of its own making, removed on stop', async () => {
    const nats = await startOwnNats({ port: await freePort() });
    try {
      expect(await probeNats(nats.url)).toBe('ok');
      expect(existsSync(nats.storeDir)).toBe(true);
    } finally {
      await nats.stop();
    }
    expect(existsSync(nats.storeDir)).toBe(false);
  }, 60_000);

  it('a PostgreSQL on a data directory of its own making, removed on stop', async () => {
    const postgres = await startOwnPostgres({ port: await freePort() });
    try {
      expect(await canConnect(postgres.adminUrl)).toBe(true);
    } finally {
      await postgres.stop();
    }
    expect(existsSync(dirname(postgres.dataDir))).toBe(false);
  }, 120_000);
});
