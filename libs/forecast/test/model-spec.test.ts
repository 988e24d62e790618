import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  MODEL_NAMES,
  MODEL_PARAMS,
  ModelSpecError,
  modelSpecFrom,
  parseModelList,
  parseModelSpec,
  planConsensus,
  type DeclaredMember,
} from '../src/index.ts';

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('model registry', () => {
  it('names every model, consensus included', () => {
    expect(MODEL_NAMES).toEqual([
      'naive',
      'movingAverage',
      'ewma',
      'linearTrend',
      'momentum',
      'holt',
      'ridge',
      'consensus',
    ]);
    expect(Object.keys(MODEL_PARAMS).sort()).toEqual([...MODEL_NAMES].sort());
  });

  it('parameter schemas carry defaults and bounds (CRD-ready JSON Schema)', () => {
    const schema = z.toJSONSchema(MODEL_PARAMS.movingAverage, { io: 'input' });
    expect(schema.properties?.window).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 10_000,
      default: 24,
    });
    expect(MODEL_PARAMS.holt.parse({})).toEqual({ alpha: 0.3, beta: 0.1, damping: 1 });
  });
});

describe('parseModelSpec', () => {
  it('parses a bare name with defaults', () => {
    expect(parseModelSpec('movingAverage')).toEqual({
      name: 'movingAverage',
      params: { window: 24 },
      text: 'movingAverage',
    });
  });

  it('parses name:key=value,... and coerces numbers', () => {
    const spec = parseModelSpec('holt:alpha=0.5,beta=0.2');
    expect(spec.params).toEqual({ alpha: 0.5, beta: 0.2, damping: 1 });
    expect(spec.text).toBe('holt:alpha=0.5,beta=0.2');
  });

  it('ignores a trailing comma and keeps it out of the label', () => {
    const spec = parseModelSpec('linearTrend:window=24,');
    expect(spec.params).toEqual({ window: 24 });
    expect(spec.text).toBe('linearTrend:window=24');
  });

  it('rejects an unknown model, naming it and listing the valid ones', () => {
    const error = errorOf(() => parseModelSpec('arima:p=1'));
    expect(error).toBeInstanceOf(ModelSpecError);
    expect(error.message).toContain('unknown model "arima"');
    for (const name of MODEL_NAMES) expect(error.message).toContain(name);
    expect(errorOf(() => parseModelSpec('movingaverage')).message).toContain(
      'did you mean "movingAverage"',
    );
  });

  it('rejects an unknown parameter, naming it and listing the valid ones', () => {
    const error = errorOf(() => parseModelSpec('movingAverage:windw=20'));
    expect(error).toBeInstanceOf(ModelSpecError);
    expect(error.message).toContain('unknown parameter "windw"');
    expect(error.message).toContain('window (integer 1..10000, default 24)');
    expect(errorOf(() => parseModelSpec('naive:window=2')).message).toContain(
      'naive takes no parameters',
    );
  });

  it.each([
    ['movingAverage:window=0', 'window'],
    ['movingAverage:window=2.5', 'window'],
    ['movingAverage:window=abc', 'window'],
    ['ewma:alpha=1.5', 'alpha'],
    ['ridge:lags=100', 'lags'],
  ])('rejects an invalid value: %s', (text, key) => {
    const error = errorOf(() => parseModelSpec(text));
    expect(error).toBeInstanceOf(ModelSpecError);
    expect(error.message).toContain(`invalid parameter "${key}"`);
    expect(error.message).toContain('valid parameters:');
  });

  it('rejects a malformed segment and a repeated key', () => {
    expect(errorOf(() => parseModelSpec('movingAverage:20')).message).toContain(
      'expected key=value, got "20"',
    );
    expect(errorOf(() => parseModelSpec('movingAverage:window=2,window=3')).message).toContain(
      'parameter "window" given twice',
    );
  });

  it('validates consensus members and weights at parse time', () => {
    const spec = parseModelSpec(
      'consensus:members=movingAverage(window=20)+holt(alpha=0.5,beta=0.2),weights=3+1',
    );
    if (spec.name !== 'consensus') throw new Error('expected a consensus');
    const plan = planConsensus(spec.params);
    expect(plan.members.map((member) => member.params)).toEqual([
      { window: 20 },
      { alpha: 0.5, beta: 0.2, damping: 1 },
    ]);
    expect(plan.weighting).toEqual({ kind: 'static', weights: [3, 1] });
    expect(errorOf(() => parseModelSpec('consensus:weights=1+1')).message).toContain(
      '"weights" has 2 values for 3 members',
    );
    expect(errorOf(() => parseModelSpec('consensus:members=naive+foo')).message).toContain(
      'unknown model "foo"',
    );
    expect(errorOf(() => parseModelSpec('consensus:members=naive(window=3)')).message).toContain(
      'naive takes no parameters',
    );
    expect(errorOf(() => parseModelSpec('consensus:members=consensus')).message).toContain(
      'cannot be a member',
    );
  });
});

describe('modelSpecFrom', () => {
  it('builds a declared model from its objects, labelled as the spec language writes it', () => {
    expect(modelSpecFrom({ algorithm: 'movingAverage', params: { window: 5 } })).toEqual(
      parseModelSpec('movingAverage:window=5'),
    );
    const declared = modelSpecFrom({
      algorithm: 'consensus',
      members: [{ algorithm: 'naive' }, { algorithm: 'ewma', params: { alpha: 0.5 } }],
    });
    const written = parseModelSpec('consensus:members=naive+ewma(alpha=0.5),weights=inverseMae');
    expect(declared).toEqual(written);
  });

  it('names the member and parameter at fault', () => {
    const consensus = (members: DeclaredMember[]) => () =>
      modelSpecFrom({ algorithm: 'consensus', members });
    expect(errorOf(consensus([{ algorithm: 'naive' }, { algorithm: 'foo' }])).message).toMatch(
      /member 1: unknown model "foo"/,
    );
    expect(
      errorOf(consensus([{ algorithm: 'movingAverage', params: { window: 0 } }])).message,
    ).toMatch(/member 0: movingAverage: invalid parameter "window"/);
    expect(errorOf(consensus([{ algorithm: 'consensus' }])).message).toContain(
      'cannot be a member',
    );
    expect(errorOf(consensus([{ algorithm: 'naive', weight: 0 }])).message).toContain(
      'positive sum',
    );
    expect(errorOf(consensus([])).message).toContain('at least one member');
  });
});

describe('parseModelList', () => {
  it('accepts separate words, ";"-joined specs and trailing commas', () => {
    const specs = parseModelList(['naive', 'movingAverage:window=20;linearTrend:window=24,']);
    expect(specs.map((spec) => spec.text)).toEqual([
      'naive',
      'movingAverage:window=20',
      'linearTrend:window=24',
    ]);
  });

  it('keeps repeated specs once and rejects an empty list', () => {
    expect(parseModelList(['naive', 'naive;naive'])).toHaveLength(1);
    expect(() => parseModelList([' ; '])).toThrow(/no models given/);
  });

  it('tells a comma between models from one between parameters', () => {
    expect(parseModelList(['naive,ewma']).map((spec) => spec.text)).toEqual(['naive', 'ewma']);
    expect(
      parseModelList(['holt:alpha=0.5,beta=0.2,naive,movingAverage:window=24']).map((s) => s.text),
    ).toEqual(['holt:alpha=0.5,beta=0.2', 'naive', 'movingAverage:window=24']);
    expect(() => parseModelList(['window=24,naive'])).toThrow(/follows no model/);
  });
});
