import { describe, expect, it } from 'vitest';
import { createTestBus, eventually, testHeartbeat } from '@cryptoviz/testkit';
import {
  decodeJson,
  encodeJson,
  HEARTBEAT_FRESH_MS,
  heartbeatSchema,
  isFreshHeartbeat,
  listHeartbeats,
  openHeartbeats,
  startHeartbeat,
} from '../src/index.ts';

const fetcher = testHeartbeat('fetcher', { id: 'fetcher-sim-0', resource: 'sim' });

describe('heartbeat schemas, one per role', () => {
  it('refuses a beat with a wrong-typed detail, naming the field', () => {
    const wire = { ...fetcher, details: { ...fetcher.details, exhausted: 'yes' } };
    const decoded = decodeJson(heartbeatSchema, encodeJson(wire));
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toContain('details.exhausted');
  });

  it('refuses a counter of another role, naming the missing one', () => {
    const wire = { ...fetcher, counters: { stored: 10 } };
    const decoded = decodeJson(heartbeatSchema, encodeJson(wire));
    expect(!decoded.ok && decoded.reason).toContain('counters.ticksPublished');
  });

  it('reads a verdict of a newer vocabulary as none, keeping the beat', () => {
    const predictor = testHeartbeat('predictor', { id: 'predictor-m-0', resource: 'm' });
    const wire = { ...predictor, details: { ...predictor.details, skillVerdict: 'great' } };
    const decoded = decodeJson(heartbeatSchema, encodeJson(wire));
    expect(decoded.ok && decoded.value.role === 'predictor' && decoded.value.details).toMatchObject(
      { skillVerdict: null },
    );
  });

  it('calls a beat fresh up to HEARTBEAT_FRESH_MS after it, and no longer', () => {
    const now = Date.parse(fetcher.lastSeen);
    expect(isFreshHeartbeat(fetcher, now + HEARTBEAT_FRESH_MS)).toBe(true);
    expect(isFreshHeartbeat(fetcher, now + HEARTBEAT_FRESH_MS + 1)).toBe(false);
  });

  it('says why a beat its sender built wrong is refused, and puts nothing', async () => {
    const bus = await createTestBus();
    try {
      const kv = await openHeartbeats(bus.js, bus.topo);
      const refused: string[] = [];
      const loop = startHeartbeat(
        kv,
        { id: 'gateway-0', role: 'gateway' },
        () => ({ counters: { subscriptions: 0 }, details: { port: 80.5, readOnly: true } }),
        { onRefused: (reason) => refused.push(reason) },
      );
      await eventually(
        async () => refused,
        (said) => said.length > 0,
      );
      await loop.stop();
      expect(refused[0]).toContain('details.port');
      expect(await listHeartbeats(kv)).toEqual([]);
    } finally {
      await bus.drop();
    }
  });
});
