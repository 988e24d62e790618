import { describe, expect, it } from 'vitest';
import type { Heartbeat } from '@cryptoviz/bus';
import { testHeartbeat } from '@cryptoviz/testkit';
import { IngestRate } from '../src/health/ingest-rate.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function fetcher(id: string, startedAtMs: number, ticksPublished: number): Heartbeat {
  return testHeartbeat('fetcher', {
    id,
    startedAt: new Date(startedAtMs).toISOString(),
    lastSeen: new Date(startedAtMs).toISOString(),
    counters: { ticksPublished },
  });
}

/** An IngestRate fed by hand: each sample sees these heartbeats and this predictions seq. */
function scripted() {
  let beats: Heartbeat[] = [];
  let seq = 0;
  const rate = new IngestRate({
    heartbeats: async () => beats,
    predictionsLastSeq: async () => seq,
  });
  return {
    rate,
    async at(seconds: number, nextBeats: Heartbeat[], nextSeq = seq) {
      beats = nextBeats;
      seq = nextSeq;
      await rate.sample(T0 + seconds * 1000);
    },
  };
}

describe('ingest rate', () => {
  it('knows nothing from one sample', async () => {
    const { rate, at } = scripted();
    await at(0, [fetcher('a', T0 - 60_000, 100)]);
    expect(rate.rates()).toEqual({
      ticksPerSecond: null,
      predictionsPerSecond: null,
      windowS: null,
    });
  });

  it('counts ticks from fetcher counters, however many share a message, and forecasts from the stream', async () => {
    const { rate, at } = scripted();
    const started = T0 - 60_000;
    await at(0, [fetcher('a', started, 1_000), fetcher('b', started, 50)], 10);
    await at(10, [fetcher('a', started, 2_000), fetcher('b', started, 150)], 30);
    expect(rate.rates()).toEqual({ ticksPerSecond: 110, predictionsPerSecond: 2, windowS: 10 });
  });

  it('counts a restarted fetcher from zero, and a new one from its start', async () => {
    const { rate, at } = scripted();
    const old = T0 - 60_000;
    await at(0, [fetcher('a', old, 5_000)]);
    // 'a' restarted 5 s in and has published 200 since; 'c' started 2 s in with 100.
    await at(10, [fetcher('a', T0 + 5_000, 200), fetcher('c', T0 + 2_000, 100)]);
    expect(rate.rates().ticksPerSecond).toBe(30);
  });

  it('skips a fetcher seen late, whose counter holds ticks from before the window', async () => {
    const { rate, at } = scripted();
    await at(0, []);
    await at(10, [fetcher('late', T0 - 3_600_000, 1_000_000)]);
    expect(rate.rates().ticksPerSecond).toBe(0);
  });

  it('ignores the counters of other roles', async () => {
    const { rate, at } = scripted();
    const writer = (stored: number): Heartbeat =>
      testHeartbeat('writer', {
        id: 'w',
        startedAt: new Date(T0 - 60_000).toISOString(),
        counters: { stored },
      });
    await at(0, [writer(0)]);
    await at(10, [writer(10_000)]);
    expect(rate.rates().ticksPerSecond).toBe(0);
  });
});
