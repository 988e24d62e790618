import { describe, expect, it } from 'vitest';
import { heartbeatOf, type Heartbeat } from '@cryptoviz/bus';
import type { Condition } from '@cryptoviz/resources';
import { buildStatus, summariseHeartbeats, transitions } from '../src/index.ts';
import { isTrouble } from '../src/status.ts';

const now = Date.parse('2026-11-22T12:00:00Z');
const beat = (id: string, extra: Partial<Heartbeat> = {}): Heartbeat => ({
  id,
  role: 'fetcher',
  resource: 'majors',
  startedAt: '2026-11-22T11:00:00Z',
  lastSeen: new Date(now - 2_000).toISOString(),
  counters: { ticksPublished: 10, consecutiveFailures: 0 },
  details: { lastSuccessAt: '2026-11-22T11:59:58Z' },
  ...extra,
});
const base = { generation: 3, selector: 's', symbolCount: 3, suspended: false };
const conditionOf = (status: Record<string, unknown>, type: string) =>
  (status.conditions as Condition[]).find((c) => c.type === type);

describe('status', () => {
  it('counts fresh heartbeats of the resource only', () => {
    const facts = summariseHeartbeats(
      [
        beat('a'),
        beat('b'),
        beat('stale', { lastSeen: new Date(now - 60_000).toISOString() }),
        beat('other', { resource: 'other' }),
      ],
      'fetcher',
      'majors',
      now,
    );
    expect(facts).toMatchObject({
      readyWorkers: 2,
      published: 20,
      lastDataTime: '2026-11-22T11:59:58Z',
    });
  });

  it('reads a predictor heartbeat: forecasts published, direction accuracy and skill', () => {
    const predictor = heartbeatOf(
      {
        series: 2,
        predictionsPublished: 40,
        scored: 30,
        ignoredTicks: 0,
        lastPredictionAt: '2026-11-22T11:00:00.000Z',
        accuracy: 0.55,
        skill: 0.012,
        bySeries: {},
      },
      ['series', 'predictionsPublished', 'scored', 'ignoredTicks'],
    );
    const facts = summariseHeartbeats(
      [beat('p', { role: 'predictor', resource: 'ridge-btc', ...predictor })],
      'predictor',
      'ridge-btc',
      now,
    );
    expect(facts).toMatchObject({
      readyWorkers: 1,
      published: 40,
      accuracy: 0.55,
      skill: 0.012,
      lastDataTime: '2026-11-22T11:00:00.000Z',
    });
    const status = buildStatus('PredictionModel', { ...base, wanted: 1, facts }, undefined, 'T1');
    expect(status).toMatchObject({ accuracy: 0.55, skill: 0.012, predictionsPublished: 40 });
  });

  it('is Ready when every wanted worker beats, with observedGeneration everywhere', () => {
    const facts = summariseHeartbeats([beat('a'), beat('b')], 'fetcher', 'majors', now);
    const status = buildStatus('CryptoSource', { ...base, wanted: 2, facts }, undefined, 'T1');
    expect(status).toMatchObject({ observedGeneration: 3, replicas: 2, ready: '2/2' });
    expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'True', reason: 'WorkersReady' });
    expect(conditionOf(status, 'Degraded')).toMatchObject({ status: 'False' });
    for (const condition of status.conditions as { observedGeneration: number }[]) {
      expect(condition.observedGeneration).toBe(3);
    }
  });

  it('turns a worker failing on rate limits into Degraded/RateLimited', () => {
    const failing = beat('a', {
      counters: { consecutiveFailures: 3 },
      details: { lastErrorKind: 'rate-limited', lastErrorMessage: '429' },
    });
    const facts = summariseHeartbeats([failing], 'fetcher', 'majors', now);
    const status = buildStatus('CryptoSource', { ...base, wanted: 1, facts }, undefined, 'T1');
    expect(conditionOf(status, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'RateLimited',
    });
  });

  it('puts a controller-found problem first, and keeps transition times when nothing changed', () => {
    const problem = { reason: 'SecretMissing', message: 'Secret k not found' };
    const facts = summariseHeartbeats([], 'fetcher', 'majors', now);
    const first = buildStatus(
      'CryptoSource',
      { ...base, wanted: 1, facts, problem },
      undefined,
      'T1',
    );
    expect(conditionOf(first, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'SecretMissing',
    });
    const second = buildStatus(
      'CryptoSource',
      { ...base, wanted: 1, facts, problem },
      first.conditions as never,
      'T2',
    );
    expect(second).toEqual(first);
    expect(transitions(first.conditions as never, second.conditions as never)).toEqual([]);
  });

  it('is not Ready mid-rollout, however many workers beat, and says it is rolling out', () => {
    const facts = summariseHeartbeats([beat('old-a'), beat('old-b')], 'fetcher', 'majors', now);
    const rollout = { wanted: 2, rolledOut: 1, leaving: 0 };
    const status = buildStatus(
      'CryptoSource',
      { ...base, wanted: 2, facts, rollout },
      undefined,
      'T1',
    );
    expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'False', reason: 'RollingOut' });
    expect(conditionOf(status, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'RollingOut',
      message: '1/2 shards rolled out',
    });
    // Progress, not trouble: no Warning Event for it.
    expect(isTrouble(conditionOf(status, 'Ready')!)).toBe(false);

    const leaving = { wanted: 2, rolledOut: 2, leaving: 1 };
    const shrinking = buildStatus(
      'CryptoSource',
      { ...base, wanted: 2, facts, rollout: leaving },
      undefined,
      'T1',
    );
    expect(conditionOf(shrinking, 'Ready')).toMatchObject({ reason: 'RollingOut' });

    const done = { wanted: 2, rolledOut: 2, leaving: 0 };
    const rolled = buildStatus(
      'CryptoSource',
      { ...base, wanted: 2, facts, rollout: done },
      undefined,
      'T1',
    );
    expect(conditionOf(rolled, 'Ready')).toMatchObject({ status: 'True', reason: 'WorkersReady' });
    expect(conditionOf(rolled, 'Progressing')).toMatchObject({ reason: 'Stable' });
  });

  it('gives NameInUse precedence over everything, and makes it a warning', () => {
    const problem = { reason: 'NameInUse', message: 'namespace other keeps the name' };
    const status = buildStatus(
      'CryptoSource',
      { ...base, wanted: 0, suspended: true, facts: undefined, problem },
      undefined,
      'T1',
    );
    expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'False', reason: 'NameInUse' });
    expect(conditionOf(status, 'Degraded')).toMatchObject({ status: 'True', reason: 'NameInUse' });
    expect(isTrouble(conditionOf(status, 'Ready')!)).toBe(true);
  });

  it('says Unknown when heartbeats cannot be read', () => {
    const status = buildStatus(
      'PredictionModel',
      { ...base, wanted: 1, facts: undefined },
      undefined,
      'T',
    );
    expect(conditionOf(status, 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'HeartbeatsUnavailable',
    });
  });
});
