import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heartbeatOf, type Heartbeat } from '@cryptoviz/bus';
import { createReplayProvider, ProviderError } from '@cryptoviz/market';
import { cryptoSourceSpecSchema } from '@cryptoviz/resources';
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

  it('combines the workers’ skill verdicts: the weakest, with the p-value behind it', () => {
    const predictor = (id: string, skillVerdict: string, skillPValue: number | null) =>
      beat(id, {
        role: 'predictor',
        resource: 'ridge-btc',
        counters: { predictionsPublished: 1 },
        details: { skill: 0.02, skillVerdict, skillPValue },
      });
    const one = summariseHeartbeats(
      [predictor('p0', 'beats-naive', 0.0012345)],
      'predictor',
      'ridge-btc',
      now,
    );
    const alone = buildStatus(
      'PredictionModel',
      { ...base, wanted: 1, facts: one },
      undefined,
      'T',
    );
    expect(alone).toMatchObject({ skillVerdict: 'beats-naive', skillPValue: 0.00123 });

    const two = summariseHeartbeats(
      [
        predictor('p0', 'beats-naive', 0.001),
        predictor('p1', 'no-detectable-difference', 0.4),
        predictor('p2', 'too-few-pairs', null),
        // Not a verdict this controller knows: ignored, not trusted.
        predictor('p3', 'great', 0),
      ],
      'predictor',
      'ridge-btc',
      now,
    );
    const both = buildStatus('PredictionModel', { ...base, wanted: 4, facts: two }, undefined, 'T');
    expect(both).toMatchObject({ skillVerdict: 'no-detectable-difference', skillPValue: 0.4 });

    const early = summariseHeartbeats(
      [predictor('p0', 'too-few-pairs', null)],
      'predictor',
      'ridge-btc',
      now,
    );
    const waiting = buildStatus(
      'PredictionModel',
      { ...base, wanted: 1, facts: early },
      undefined,
      'T',
    );
    expect(waiting).toMatchObject({ skillVerdict: 'too-few-pairs' });
    expect(waiting).not.toHaveProperty('skillPValue');
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
      details: {
        lastErrorKind: 'rate-limited',
        lastErrorSummary: 'answered 429',
        lastErrorMessage: 'answered 429: "slow down"',
      },
    });
    const facts = summariseHeartbeats([failing], 'fetcher', 'majors', now);
    const status = buildStatus('CryptoSource', { ...base, wanted: 1, facts }, undefined, 'T1');
    expect(conditionOf(status, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'RateLimited',
      message: expect.stringContaining('(answered 429)'),
    });
    // Anyone who may read the resource reads its status: not what the provider wrote.
    expect(JSON.stringify(status)).not.toContain('slow down');
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

  it('is not Ready while its fetchers cannot read a replay file, naming the field, not the path', async () => {
    // The error the replay provider itself raises for a file the data directory lacks.
    const dataDir = mkdtempSync(join(tmpdir(), 'replay-data-'));
    const spec = cryptoSourceSpecSchema.parse({
      provider: 'replay',
      symbols: ['BTC'],
      replay: { data: { BTC: 'market/missing.csv' } },
    });
    const error = await createReplayProvider({ source: 'majors', spec, dataDir })
      .poll(new AbortController().signal)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ProviderError);
    const failing = beat('fetcher-majors-0', {
      counters: { ticksPublished: 0, consecutiveFailures: 3 },
      details: {
        lastErrorKind: (error as ProviderError).kind,
        lastErrorSummary: (error as ProviderError).summary,
      },
    });
    const facts = summariseHeartbeats([failing], 'fetcher', 'majors', now);
    const status = buildStatus('CryptoSource', { ...base, wanted: 1, facts }, undefined, 'T');
    const ready = conditionOf(status, 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'InvalidConfig' });
    expect(ready.message).toBe(
      `fetcher-majors-0: fix the source's spec (replay.data.BTC "market/missing.csv": no such file in the data directory)`,
    );
    expect(ready.message).not.toContain(dataDir);
    expect(conditionOf(status, 'Degraded')).toEqual(
      expect.objectContaining({ status: 'True', reason: 'InvalidConfig', message: ready.message }),
    );
    expect(Object.keys(conditionOf(status, 'Degraded')!)).not.toContain('stopsData');
    expect(isTrouble(ready)).toBe(true);
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

  it('says why workers cannot run before how far a rollout got, even with NATS away', () => {
    const stuck = { reason: 'CrashLooping', message: 'pod ns/p (fetcher shard 0) keeps crashing' };
    const rollout = { wanted: 1, rolledOut: 0, leaving: 0 };
    for (const facts of [undefined, summariseHeartbeats([], 'fetcher', 'majors', now)]) {
      const status = buildStatus(
        'CryptoSource',
        { ...base, wanted: 1, facts, rollout, workloadProblem: stuck },
        undefined,
        'T',
      );
      expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'False', ...stuck });
      expect(conditionOf(status, 'Degraded')).toMatchObject({ status: 'True', ...stuck });
      expect(isTrouble(conditionOf(status, 'Ready')!)).toBe(true);
    }
    // Suspended and an invalid spec still come first: they are what to fix.
    const suspended = buildStatus(
      'CryptoSource',
      { ...base, wanted: 1, facts: undefined, suspended: true, workloadProblem: stuck },
      undefined,
      'T',
    );
    expect(conditionOf(suspended, 'Ready')).toMatchObject({ reason: 'Suspended' });
  });

  it('names NATS when rolled-out workers send no heartbeat', () => {
    const facts = summariseHeartbeats([], 'fetcher', 'majors', now);
    const done = { wanted: 1, rolledOut: 1, leaving: 0 };
    const status = buildStatus(
      'CryptoSource',
      { ...base, wanted: 1, facts, rollout: done },
      undefined,
      'T',
    );
    expect(conditionOf(status, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'WorkersNotReady',
    });
    expect(conditionOf(status, 'Ready')!.message).toContain('cannot reach NATS');
    expect(conditionOf(status, 'Ready')!.message).toContain('kubectl logs -l s');
  });
});
