import { describe, expect, it } from 'vitest';
import { cryptoSourceSchema, predictionModelSchema } from '@cryptoviz/resources';
import { desiredReplicas, desiredWriters, workersForLag } from '../src/index.ts';

const symbols = (n: number) => Array.from({ length: n }, (_, i) => `S${i}`);
const source = (spec: Record<string, unknown>) =>
  cryptoSourceSchema.parse({
    apiVersion: 'cryptoviz.dev/v1alpha1',
    kind: 'CryptoSource',
    metadata: { name: 's' },
    spec: { provider: 'synthetic', symbols: symbols(120), ...spec },
  });
const model = (spec: Record<string, unknown>) =>
  predictionModelSchema.parse({
    apiVersion: 'cryptoviz.dev/v1alpha1',
    kind: 'PredictionModel',
    metadata: { name: 'm' },
    spec: { algorithm: 'naive', symbols: symbols(10), ...spec },
  });

describe('desiredReplicas', () => {
  it('splits symbols by maxSymbolsPerWorker', () => {
    expect(desiredReplicas(source({}))).toBe(3); // 120 / 50
    expect(desiredReplicas(source({ maxSymbolsPerWorker: 500 }))).toBe(1);
  });

  it('stays within min/maxReplicas', () => {
    expect(desiredReplicas(source({ maxReplicas: 2 }))).toBe(2);
    expect(desiredReplicas(source({ maxSymbolsPerWorker: 500, minReplicas: 4 }))).toBe(4);
  });

  it('honours spec.replicas (the scale subresource) within the bounds', () => {
    expect(desiredReplicas(source({ replicas: 7 }))).toBe(7);
    expect(desiredReplicas(source({ replicas: 7, maxReplicas: 5 }))).toBe(5);
    expect(desiredReplicas(source({ replicas: 0 }))).toBe(0);
  });

  it('never runs more workers than symbols, and none when suspended', () => {
    expect(desiredReplicas(source({ symbols: ['BTC'], minReplicas: 3 }))).toBe(1);
    expect(desiredReplicas(source({ suspend: true }))).toBe(0);
  });

  it('gives a model predictors by its symbols, as a source gets fetchers', () => {
    expect(desiredReplicas(model({}))).toBe(1);
    expect(desiredReplicas(model({ maxSymbolsPerWorker: 3 }))).toBe(4); // 10 / 3
    expect(desiredReplicas(model({ maxSymbolsPerWorker: 3, maxReplicas: 2 }))).toBe(2);
  });
});

describe('writers', () => {
  it('follow the backlog within bounds, never below one', () => {
    expect(workersForLag(undefined)).toBe(0);
    expect(desiredWriters(undefined, { min: 0, max: 4 })).toBe(1);
    expect(desiredWriters(2_500, { min: 1, max: 4 })).toBe(3);
    expect(desiredWriters(1e6, { min: 1, max: 4 })).toBe(4);
  });
});
