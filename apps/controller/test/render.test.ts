import { describe, expect, it } from 'vitest';
import { cryptoSourceSchema, predictionModelSchema } from '@cryptoviz/resources';
import { planModel, planSource, type WorkloadOwner } from '@cryptoviz/workloads';
import { ANNOTATIONS, LABELS, renderWorkloads } from '../src/index.ts';

const source = cryptoSourceSchema.parse({
  apiVersion: 'cryptoviz.dev/v1alpha1',
  kind: 'CryptoSource',
  metadata: { name: 'majors', namespace: 'markets' },
  spec: {
    provider: 'binance',
    symbols: ['BTC', 'ETH', 'SOL'],
    maxSymbolsPerWorker: 2,
    apiKeySecretRef: { name: 'binance-key', key: 'apiKey' },
  },
});
const owner: WorkloadOwner = {
  kind: 'CryptoSource',
  namespace: 'markets',
  name: 'majors',
  uid: 'uid-1',
  apiVersion: 'cryptoviz.dev/v1alpha1',
};
const options = { image: 'cryptoviz:test', baseEnv: { NATS_URL: 'nats://nats:4222' } };

describe('renderWorkloads', () => {
  const rendered = renderWorkloads(owner, planSource(source), options);

  it('makes one ConfigMap with the manifest and one Deployment per shard, all owned', () => {
    expect(rendered.configMap?.metadata?.name).toBe('fetcher-majors');
    expect(JSON.parse(rendered.configMap!.data!['majors.json']!).spec.symbols).toEqual([
      'BTC',
      'ETH',
      'SOL',
    ]);
    expect(rendered.deployments.map((d) => d.metadata?.name)).toEqual([
      'fetcher-majors-0',
      'fetcher-majors-1',
    ]);
    for (const object of [rendered.configMap!, ...rendered.deployments]) {
      expect(object.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'cryptoviz.dev/v1alpha1',
          kind: 'CryptoSource',
          name: 'majors',
          uid: 'uid-1',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(object.metadata?.labels?.[LABELS.managedBy]).toBe('cryptoviz-controller');
    }
  });

  it('gives each shard its SHARD, the config file path, the key from the Secret, probes', () => {
    const [first, second] = rendered.deployments;
    const container = first!.spec!.template.spec!.containers[0]!;
    const env = Object.fromEntries(container.env!.map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env.SHARD).toBe('0/2');
    expect(
      second!.spec!.template.spec!.containers[0]!.env!.find((e) => e.name === 'SHARD')?.value,
    ).toBe('1/2');
    expect(env.SOURCE_FILE).toBe('/etc/cryptoviz/majors.json');
    expect(env.NATS_URL).toBe('nats://nats:4222');
    expect(env.CRYPTOVIZ_API_KEY).toEqual({ secretKeyRef: { name: 'binance-key', key: 'apiKey' } });
    // The image's entrypoint (node dist/cryptoviz.js) takes the role.
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(['fetcher']);
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(first!.spec!.replicas).toBe(1);
    expect(first!.spec!.selector.matchLabels).toEqual({
      [LABELS.role]: 'fetcher',
      [LABELS.resource]: 'majors',
      [LABELS.shard]: '0',
    });
  });

  it('rolls pods when the config changes, and only then', () => {
    const again = renderWorkloads(owner, planSource(source), options);
    const hash = (r: typeof rendered) =>
      r.deployments[0]!.spec!.template.metadata!.annotations![ANNOTATIONS.configHash];
    expect(hash(again)).toBe(hash(rendered));
    const edited = { ...source, spec: { ...source.spec, interval: '30s' } };
    expect(hash(renderWorkloads(owner, planSource(edited), options))).not.toBe(hash(rendered));
  });

  it('renders predictors with MODEL_FILE and the database Secret', () => {
    const model = predictionModelSchema.parse({
      apiVersion: 'cryptoviz.dev/v1alpha1',
      kind: 'PredictionModel',
      metadata: { name: 'btc-holt' },
      spec: { algorithm: 'holt', symbols: ['BTC'] },
    });
    const { deployments, configMap } = renderWorkloads(
      { ...owner, kind: 'PredictionModel', name: 'btc-holt' },
      planModel(model),
      { ...options, databaseSecret: { name: 'db', key: 'url' } },
    );
    expect(configMap?.metadata?.name).toBe('predictor-btc-holt');
    const env = deployments[0]!.spec!.template.spec!.containers[0]!.env!;
    expect(env.find((e) => e.name === 'MODEL_FILE')?.value).toBe('/etc/cryptoviz/btc-holt.json');
    expect(env.find((e) => e.name === 'DATABASE_URL')?.valueFrom).toEqual({
      secretKeyRef: { name: 'db', key: 'url' },
    });
  });

  it('renders nothing for a suspended resource', () => {
    const suspended = { ...source, spec: { ...source.spec, suspend: true } };
    expect(renderWorkloads(owner, planSource(suspended), options)).toEqual({ deployments: [] });
  });
});
