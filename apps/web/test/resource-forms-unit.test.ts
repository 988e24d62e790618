import { cryptoSourceSchema, predictionModelSchema } from '@cryptoviz/resources';
import { describe, expect, it } from 'vitest';
import {
  emptyMember,
  emptyModelFields,
  emptySourceFields,
  modelFieldsOf,
  sourceFieldsOf,
  validateModel,
  validateSource,
  warmUpOf,
  withAlgorithm,
  withMemberAlgorithm,
  withProvider,
} from '../src/lib/resource-forms.ts';
import { paramFieldsOf, sourceHint } from '../src/lib/schema-hints.ts';
import { entriesOf, modelSpecOf, sourceSpecOf } from '../src/lib/spec-from-fields.ts';
import { REPLAY_SPEC } from './form-fixtures.ts';

// As the gateway lists them: parsed by the CRD schema, defaults filled in.
const source = (name: string, spec: Record<string, unknown>) =>
  cryptoSourceSchema.parse({
    apiVersion: 'cryptoviz.dev/v1alpha1',
    kind: 'CryptoSource',
    metadata: { name, labels: { team: 'quant' } },
    spec: { symbols: ['BTC', 'ETH'], minReplicas: 1, maxReplicas: 4, replicas: 2, ...spec },
  });
const model = (name: string, spec: Record<string, unknown>) =>
  predictionModelSchema.parse({
    apiVersion: 'cryptoviz.dev/v1alpha1',
    kind: 'PredictionModel',
    metadata: { name },
    spec: { symbols: ['BTC'], sources: ['gecko'], minReplicas: 1, maxReplicas: 3, ...spec },
  });

const gecko = source('gecko', {
  provider: 'coingecko',
  quote: 'EUR',
  interval: '30s',
  endpoint: 'https://pro-api.coingecko.com/api/v3',
  apiKeySecretRef: { name: 'gecko-key', key: 'token' },
  rateLimit: { requestsPerMinute: 250 },
  symbolMap: { BTC: 'bitcoin', ETH: 'ethereum' },
  backfillHours: 48,
  maxSymbolsPerWorker: 20,
});
const replayed = source('replayed', {
  provider: 'replay',
  replay: { data: { BTC: 'data/btc.csv', ETH: 'data/eth.csv' }, speed: 60, loop: true },
});
const synthetic = source('synth', {
  provider: 'synthetic',
  synthetic: { seed: 7, start: '2026-01-01T00:00:00Z' },
  suspend: true,
});
const ridge = model('ridge-btc', {
  algorithm: 'ridge',
  params: { lags: 4, lambda: 0.5 },
  horizons: ['1h', '6h'],
  signal: { threshold: 0.003, minConfidence: 0.6 },
});
const consensus = model('blend', {
  algorithm: 'consensus',
  members: [
    { algorithm: 'movingAverage', params: { window: 12 }, weight: 2 },
    { algorithm: 'holt', params: { alpha: 0.4 }, weight: 1 },
    { algorithm: 'ridge', weight: 1 },
  ],
});

describe('resource forms: a whole resource from its fields', () => {
  it('builds a replay source with its files, speed, loop and alignment', () => {
    const fields = {
      ...withProvider({ ...emptySourceFields(), name: 'binance-replay' }, 'replay'),
      symbols: 'btc, eth',
      'replay.data': 'btc=data/btc.csv, ETH = data/eth.csv',
      'replay.speed': '36000',
      'replay.loop': true,
      'replay.align': 'now',
    };
    expect(sourceSpecOf(fields)).toEqual({ ...REPLAY_SPEC, suspend: false });
    const result = validateSource(fields);
    expect(result.ok && result.manifest.spec.replay).toEqual(REPLAY_SPEC.replay);
  });

  it('builds a model with params, and a consensus with its members, params and weights', () => {
    const fields = { ...emptyModelFields(), name: 'ma', algorithm: 'movingAverage' };
    const ma = withAlgorithm({ ...emptyModelFields(), name: 'ma' }, 'movingAverage');
    expect(Object.keys(ma.params)).toEqual(['window']);
    expect(modelSpecOf({ ...ma, params: { window: '48' } })).toMatchObject({
      algorithm: 'movingAverage',
      params: { window: 48 },
    });
    expect(fields.members).toEqual([]);

    const blend = withAlgorithm({ ...emptyModelFields(), name: 'blend' }, 'consensus');
    expect(blend.members).toHaveLength(1);
    blend.members = [
      { ...withMemberAlgorithm(emptyMember(), 'holt'), weight: '2' },
      { ...emptyMember('linearTrend'), params: { window: '50' }, weight: '1' },
    ];
    blend.members[0]!.params.alpha = '0.5';
    const result = validateModel(blend);
    expect(result.ok && result.manifest.spec.members).toEqual([
      { algorithm: 'holt', params: { alpha: 0.5 }, weight: 2 },
      { algorithm: 'linearTrend', params: { window: 50 }, weight: 1 },
    ]);
  });

  it('reads map fields as symbol=value entries', () => {
    expect(entriesOf('btc=bitcoin,\nETH = ethereum , sol')).toEqual({
      BTC: 'bitcoin',
      ETH: 'ethereum',
      SOL: '',
    });
  });

  it('saves an unchanged resource as it was, every setting included', () => {
    for (const base of [gecko, replayed, synthetic]) {
      expect(validateSource(sourceFieldsOf(base), base)).toEqual({ ok: true, manifest: base });
    }
    for (const base of [ridge, consensus]) {
      expect(validateModel(modelFieldsOf(base), base)).toEqual({ ok: true, manifest: base });
    }
  });

  it('changes only the field that was edited; an emptied one takes the schema default', () => {
    expect(validateSource({ ...sourceFieldsOf(gecko), interval: '5m' }, gecko)).toEqual({
      ok: true,
      manifest: { ...gecko, spec: { ...gecko.spec, interval: '5m' } },
    });
    expect(validateModel({ ...modelFieldsOf(ridge), 'signal.threshold': '0.01' }, ridge)).toEqual({
      ok: true,
      manifest: {
        ...ridge,
        spec: { ...ridge.spec, signal: { ...ridge.spec.signal, threshold: 0.01 } },
      },
    });
    const emptied = validateSource({ ...sourceFieldsOf(gecko), maxSymbolsPerWorker: '' }, gecko);
    expect(emptied.ok && emptied.manifest.spec.maxSymbolsPerWorker).toBe(50);
  });

  it("clears the old provider's or algorithm's settings when that changes", () => {
    const kraken = validateSource(withProvider(sourceFieldsOf(gecko), 'kraken'), gecko);
    expect(kraken).toMatchObject({
      ok: true,
      manifest: { spec: { endpoint: gecko.spec.endpoint } },
    });
    const sim = validateSource(withProvider(sourceFieldsOf(gecko), 'synthetic'), gecko);
    expect(sim.ok).toBe(true);
    if (!sim.ok) return;
    for (const setting of ['endpoint', 'apiKeySecretRef', 'rateLimit', 'symbolMap']) {
      expect(sim.manifest.spec).not.toHaveProperty(setting);
    }
    expect(sim.manifest.spec).toMatchObject({ minReplicas: 1, replicas: 2 });
    const holt = validateModel(withAlgorithm(modelFieldsOf(ridge), 'holt'), ridge);
    expect(holt.ok && holt.manifest.spec.params).toEqual({});
  });
});

describe('resource forms: the schema names what is wrong', () => {
  it('puts each issue on its field, in the schema words, led by the path', () => {
    const expected = cryptoSourceSchema.safeParse({
      ...replayed,
      spec: { ...replayed.spec, replay: { ...replayed.spec.replay, speed: -1 } },
    });
    const issue = expected.error!.issues[0]!;
    const result = validateSource({ ...sourceFieldsOf(replayed), 'replay.speed': '-1' });
    expect(result).toEqual({
      ok: false,
      errors: { 'replay.speed': `replay.speed: ${issue.message}` },
    });
  });

  it('maps nested model issues, bad durations included', () => {
    const result = validateModel({
      ...emptyModelFields(),
      name: 'm',
      algorithm: 'consensus',
      horizons: '1h, later',
      'signal.threshold': '7',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['horizons', 'members', 'signal.threshold']);
    expect(result.errors.horizons).toContain('duration');
    expect(result.errors['signal.threshold']).toMatch(/^signal\.threshold: Too big/);

    const blend = withAlgorithm({ ...emptyModelFields(), name: 'blend' }, 'consensus');
    blend.members[0]!.params.window = '0';
    const member = validateModel(blend);
    expect(member.ok ? {} : member.errors).toEqual({
      'members.0.params.window': expect.stringMatching(/^members\.0\.params\.window: Too small/),
    });
  });

  it('names the missing replay file of a symbol on the replay files field', () => {
    const result = validateSource({ ...sourceFieldsOf(replayed), symbols: 'BTC, SOL' }, replayed);
    expect(result.ok ? {} : result.errors).toEqual({
      'replay.data': 'replay.data.SOL: names no CSV for symbol SOL',
    });
  });
});

describe('resource forms: hints and warm-up from the definitions', () => {
  it("gives each field the schema's default and bounds", () => {
    expect(sourceHint('interval')).toBe('empty: 60s');
    expect(sourceHint('replay.speed')).toBe('empty: 3600; > 0 … 10000000');
    expect(paramFieldsOf('ridge').map((p) => p.key)).toEqual(['lags', 'trainWindow', 'lambda']);
    expect(paramFieldsOf('movingAverage')[0]).toMatchObject({
      description: 'closes averaged',
      hint: 'empty: 24; 1 … 10000',
    });
    expect(paramFieldsOf('consensus')).toEqual([]);
  });

  it('says how many bars a new model needs before its first forecast', () => {
    const ma = withAlgorithm({ ...emptyModelFields(), name: 'ma' }, 'movingAverage');
    const fields = { ...ma, params: { window: '48' }, horizons: '1h, 6h', interval: '1h' };
    expect(warmUpOf(fields)).toBe('First forecast after about 77 bars of 1h (3 d).');
    expect(warmUpOf({ ...fields, interval: 'soon' })).toBeNull();
  });
});
