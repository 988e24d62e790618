import { describe, expect, it } from 'vitest';
import { cryptoSourceSpecSchema, formatIssues, predictionModelSpecSchema } from '../src/index.ts';
import { parseManifests } from '../src/yaml.ts';

const issues = (
  schema: typeof cryptoSourceSpecSchema | typeof predictionModelSpecSchema,
  value: unknown,
) => {
  const result = schema.safeParse(value);
  return result.success ? '' : formatIssues(result.error);
};

describe('CryptoSource spec', () => {
  it('fills defaults', () => {
    expect(cryptoSourceSpecSchema.parse({ provider: 'kraken', symbols: ['BTC'] })).toMatchObject({
      quote: 'USD',
      interval: '60s',
      maxSymbolsPerWorker: 50,
      backfillHours: 0,
      suspend: false,
    });
  });

  it('names each bad field, and a non-duration is an issue, not a crash', () => {
    const text = issues(cryptoSourceSpecSchema, {
      provider: 'binance',
      symbols: ['BTC', 'BTC', 'eth'],
      interval: 'soon',
      minReplicas: 3,
      maxReplicas: 2,
      replay: { data: {} },
    });
    expect(text).toContain('symbols.2: must be 1–15 uppercase letters or digits');
    expect(text).toContain('symbols: must not repeat a symbol');
    expect(text).toContain('interval: must be a duration such as 30s, 5m or 1h');
    expect(text).toContain('minReplicas: must not exceed maxReplicas');
    expect(text).toContain('replay: is only allowed when provider is replay');
    expect(
      issues(cryptoSourceSpecSchema, { provider: 'synthetic', symbols: ['A'], interval: '500ms' }),
    ).toBe('interval: must be at least 1s');
  });

  it('requires replay data for every symbol of a replay source', () => {
    expect(
      issues(cryptoSourceSpecSchema, {
        provider: 'replay',
        symbols: ['BTC', 'ETH'],
        replay: { data: { BTC: 'b.csv' } },
      }),
    ).toBe('replay.data.ETH: names no CSV for symbol ETH');
  });

  it.each(['/etc/passwd', '../secrets.csv', 'data/../../etc/passwd', 'data/..', 'data//btc.csv'])(
    'refuses the replay path %s, which could leave the data directory, naming the field',
    (path) => {
      expect(
        issues(cryptoSourceSpecSchema, {
          provider: 'replay',
          symbols: ['BTC'],
          replay: { data: { BTC: path } },
        }),
      ).toBe(
        "replay.data.BTC: must be a path inside the data directory (CRYPTOVIZ_DATA_DIR): relative, with no '..', leading '/' or '//'",
      );
    },
  );

  it.each(['data/market/binance-btcusdt-1h.csv', './btc.csv', '..btc.csv', 'a/.../b.csv'])(
    'accepts the replay path %s, which stays inside the data directory',
    (path) => {
      const spec = { provider: 'replay', symbols: ['BTC'], replay: { data: { BTC: path } } };
      expect(issues(cryptoSourceSpecSchema, spec)).toBe('');
    },
  );
});

describe('PredictionModel spec', () => {
  it('checks parameters against the forecasting library and consensus members', () => {
    expect(
      issues(predictionModelSpecSchema, {
        algorithm: 'movingAverage',
        symbols: ['BTC'],
        params: { window: 0, span: 3 },
      }),
    ).toMatch(/params\.window: .*>=1.*; params: .*span/);
    expect(issues(predictionModelSpecSchema, { algorithm: 'consensus', symbols: ['BTC'] })).toBe(
      'members: is required when algorithm is consensus',
    );
    expect(
      issues(predictionModelSpecSchema, {
        algorithm: 'consensus',
        symbols: ['BTC'],
        members: [{ algorithm: 'holt', weight: 1 }, { algorithm: 'naive' }],
      }),
    ).toBe('members: give every member a weight, or none (weights then follow recent errors)');
    expect(
      issues(predictionModelSpecSchema, {
        algorithm: 'naive',
        symbols: ['BTC'],
        horizons: ['90m'],
      }),
    ).toBe('horizons.0: must be a whole number of intervals (1h)');
  });

  it('reads multi-document manifests, passing other kinds through', () => {
    const { resources, others } = parseManifests(
      `apiVersion: v1
kind: Secret
metadata: { name: k }
stringData: { apiKey: x }
---
apiVersion: cryptoviz.dev/v1alpha1
kind: PredictionModel
metadata: { name: m }
spec: { algorithm: ridge, symbols: [BTC] }
`,
      'm.yaml',
    );
    expect(others).toHaveLength(1);
    expect(resources[0]).toMatchObject({
      kind: 'PredictionModel',
      spec: { horizons: ['1h', '6h'] },
    });
  });

  it('names a YAML syntax error by its place, never quoting the line (it may hold a key)', () => {
    const key = 'sk-live-0123456789abcdef';
    const broken = `apiVersion: v1
kind: Secret
metadata: { name: k }
stringData:
  apiKey: "${key}
  other: x
`;
    let message = '';
    try {
      parseManifests(broken, 'secrets.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^secrets\.yaml \(document 1\): .+ \(line \d+, column \d+\)$/);
    expect(message).not.toContain(key.slice(0, 8));
    expect(message).not.toContain('other: x');
  });
});
