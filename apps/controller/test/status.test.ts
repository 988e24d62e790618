import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HEARTBEAT_FRESH_MS,
  heartbeatOf,
  heartbeatSchema,
  type HeartbeatReport,
} from '@cryptoviz/bus';
import { NO_SCORES, type ScoreMetrics } from '@cryptoviz/forecast';
import { createReplayProvider, ProviderError } from '@cryptoviz/market';
import {
  cryptoSourceSpecSchema,
  cryptoSourceStatusSchema,
  predictionModelStatusSchema,
} from '@cryptoviz/resources';
import type { Condition } from '@cryptoviz/resources';
import { testHeartbeat } from '@cryptoviz/testkit';
import { buildStatus, summariseHeartbeats, transitions } from '../src/index.ts';
import { isTrouble } from '../src/status.ts';

const now = Date.parse('2026-11-22T12:00:00Z');
const lastSeen = new Date(now - 2_000).toISOString();
const beat = (
  id: string,
  extra: {
    resource?: string;
    lastSeen?: string;
    counters?: Partial<HeartbeatReport<'fetcher'>['counters']>;
    details?: Partial<HeartbeatReport<'fetcher'>['details']>;
  } = {},
) =>
  testHeartbeat('fetcher', {
    id,
    resource: 'majors',
    startedAt: '2026-11-22T11:00:00Z',
    lastSeen,
    ...extra,
    counters: { ticksPublished: 10, consecutiveFailures: 0, ...extra.counters },
    details: { lastSuccessAt: '2026-11-22T11:59:58Z', ...extra.details },
  });
/** A predictor's pooled metrics with the given direction accuracy and skill over n pairs. */
const scores = (n: number, accuracy: number, skill: number): ScoreMetrics => ({
  ...NO_SCORES,
  n,
  mae: 1 - skill,
  mape: 0.01,
  rmse: 1 - skill,
  naiveMae: 1,
  directionCalls: n,
  directionalAccuracy: accuracy,
  skill,
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

  it('judges freshness by the one rule the gateway uses too (isFreshHeartbeat)', () => {
    const aged = (ms: number) => beat(`aged-${ms}`, { lastSeen: new Date(now - ms).toISOString() });
    const facts = summariseHeartbeats(
      [aged(HEARTBEAT_FRESH_MS), aged(HEARTBEAT_FRESH_MS + 1)],
      'fetcher',
      'majors',
      now,
    );
    expect(facts.readyWorkers).toBe(1);
  });

  it('reads a predictor heartbeat: forecasts published, direction accuracy and skill', () => {
    const predictor = heartbeatOf(
      {
        series: 2,
        predictionsPublished: 40,
        scored: 30,
        ignoredTicks: 0,
        lastPredictionAt: '2026-11-22T11:00:00.000Z',
        lastStoredAt: '2026-11-22T11:59:00.000Z',
        accuracy: 0.55,
        skill: 0.012,
        scores: scores(30, 0.55, 0.012),
        skillVerdict: null,
        skillPValue: null,
        bySeries: {},
      },
      ['series', 'predictionsPublished', 'scored', 'ignoredTicks'],
    );
    const identity = { id: 'p', resource: 'ridge-btc', startedAt: lastSeen, lastSeen };
    const facts = summariseHeartbeats(
      [heartbeatSchema.parse({ ...identity, role: 'predictor', ...predictor })],
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

  it('pools the workers’ accuracy and skill, each weighed by the forecasts it scored', () => {
    const predictor = (id: string, score: ScoreMetrics) =>
      testHeartbeat('predictor', {
        id,
        resource: 'ridge-btc',
        lastSeen,
        counters: { predictionsPublished: 1 },
        details: { accuracy: score.directionalAccuracy, skill: score.skill, scores: score },
      });
    const facts = summariseHeartbeats(
      [
        predictor('busy', scores(900, 0.6, 0.1)),
        predictor('new', scores(100, 0.2, -0.5)),
        // Nothing scored yet: no weight at all, not a vote of 0.
        predictor('idle', NO_SCORES),
      ],
      'predictor',
      'ridge-btc',
      now,
    );
    // A plain mean would say 0.4 and −0.2 (or 0.27 and −0.13 counting the idle worker).
    expect(facts.accuracy).toBeCloseTo(0.56, 12);
    expect(facts.skill).toBeCloseTo(0.04, 12);
    const status = buildStatus('PredictionModel', { ...base, wanted: 3, facts }, undefined, 'T');
    expect(status).toMatchObject({ accuracy: 0.56, skill: 0.04 });
  });

  it('combines the workers’ skill verdicts: the weakest, with the p-value behind it', () => {
    // As the wire carries it: a verdict is any string until the schema has read it.
    const predictor = (id: string, skillVerdict: string, skillPValue: number | null) => {
      const idle = testHeartbeat('predictor', {
        id,
        resource: 'ridge-btc',
        lastSeen,
        counters: { predictionsPublished: 1 },
        details: { skill: 0.02, skillPValue },
      });
      return heartbeatSchema.parse({ ...idle, details: { ...idle.details, skillVerdict } });
    };
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

describe('status and its schema', () => {
  it('builds, for each kind, a status its CRD status schema accepts as it is', () => {
    const at = '2026-11-22T12:00:00.000Z';
    const fetchers = summariseHeartbeats([beat('a')], 'fetcher', 'majors', now);
    const source = buildStatus('CryptoSource', { ...base, wanted: 1, facts: fetchers }, [], at);
    expect(cryptoSourceStatusSchema.parse(source)).toEqual(source);
    expect(source.ticksPublished).toBe(10);

    const model = buildStatus(
      'PredictionModel',
      {
        ...base,
        wanted: 2,
        facts: {
          readyWorkers: 1,
          published: 40,
          accuracy: 0.55,
          skill: 0.012,
          skillTest: { verdict: 'beats-naive', pValue: 0.0123 },
          lastDataTime: at,
        },
      },
      [],
      at,
    );
    expect(predictionModelStatusSchema.parse(model)).toEqual(model);
    expect(model).toMatchObject({ skillVerdict: 'beats-naive', readyWorkers: 1, ready: '1/2' });
  });
});
