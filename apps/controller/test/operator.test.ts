import { readFileSync } from 'node:fs';
import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { openHeartbeats, putHeartbeat, type HeartbeatReport } from '@cryptoviz/bus';
import { testHeartbeat } from '@cryptoviz/testkit';
import {
  condition,
  deploymentsOf,
  MAJORS_IN_TWO_SHARDS,
  eventually,
  finishRollout,
  model,
  readCustom,
  rejection,
  source,
  startController,
  userApply,
  useCluster,
  useControlledNamespace,
} from './kube-fixture.ts';
import { sampleFiles } from './sample-files.ts';

/** The finalizer controllers before this one put on every PredictionModel. */
const LEGACY_FINALIZER = 'cryptoviz.dev/jetstream-consumer';

const parse = (text: string) =>
  parseAllDocuments(text).map((doc) => doc.toJS() as { metadata: Record<string, unknown> });

const envOf = (deployment: {
  spec?: { template: { spec?: { containers: { env?: { name: string; value?: string }[] }[] } } };
}) =>
  Object.fromEntries(
    (deployment.spec!.template.spec!.containers[0]!.env ?? []).map((e) => [e.name, e.value]),
  );

// Two cores shared with an API server, etcd, NATS and PostgreSQL: allow for a slow machine.
describe('operator on a real kube-apiserver', { timeout: 120_000 }, () => {
  const cluster = useCluster();
  const each = useControlledNamespace(cluster);

  /** Heartbeats of a resource's workers, as they would put them, fresh and healthy. */
  const beater = (role: 'fetcher' | 'predictor', resource: string) => {
    const kv = openHeartbeats(each.bus.js, each.bus.topo);
    return async (id: string) =>
      putHeartbeat(
        await kv,
        testHeartbeat(role, {
          id,
          resource,
          counters: { ticksPublished: 1, consecutiveFailures: 0 },
        }),
      );
  };

  it('turns a CryptoSource into a ConfigMap and one owned Deployment per shard', async () => {
    await userApply(cluster, source(each.namespace, 'majors', MAJORS_IN_TWO_SHARDS));
    const deployments = await eventually(
      () => deploymentsOf(cluster, each.namespace, 'majors'),
      (list) => list.length === 2,
    );
    const cs = await readCustom(cluster, each.namespace, 'cryptosources', 'majors');
    expect(deployments.map((d) => d.metadata!.name)).toEqual([
      'fetcher-majors-0',
      'fetcher-majors-1',
    ]);
    for (const deployment of deployments) {
      expect(deployment.metadata!.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'CryptoSource',
          name: 'majors',
          uid: cs!.metadata.uid,
          controller: true,
        }),
      ]);
      expect(deployment.spec!.replicas).toBe(1);
      expect(envOf(deployment).SOURCE_FILE).toBe('/etc/cryptoviz/majors.json');
    }
    expect(deployments.map((d) => envOf(d).SHARD)).toEqual(['0/2', '1/2']);
    const configMap = await cluster.core.readNamespacedConfigMap({
      name: 'fetcher-majors',
      namespace: each.namespace,
    });
    expect(configMap.metadata!.ownerReferences![0]!.uid).toBe(cs!.metadata.uid);
    // Defaults from the CRD schema reach the worker's manifest.
    expect(JSON.parse(configMap.data!['majors.json']!).spec).toMatchObject({
      quote: 'USD',
      maxSymbolsPerWorker: 2,
    });

    // No Deployment controller has reported on the new Deployments: they are still rolling out.
    const status = await eventually(
      () => readCustom(cluster, each.namespace, 'cryptosources', 'majors'),
      (object) => object?.status?.observedGeneration === object?.metadata.generation,
    );
    expect(status!.status).toMatchObject({ replicas: 2, symbolCount: 3, ready: '0/2' });
    expect(condition(status, 'Ready')).toMatchObject({ status: 'False', reason: 'RollingOut' });
    expect(condition(status, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'RollingOut',
    });

    // Rolled out, but no worker beats yet.
    await finishRollout(cluster, each.namespace, 'majors');
    const waiting = await eventually(
      () => readCustom(cluster, each.namespace, 'cryptosources', 'majors'),
      (object) => condition(object, 'Ready')?.reason === 'WorkersNotReady',
    );
    expect(condition(waiting, 'Ready')!.status).toBe('False');
    expect(condition(waiting, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'WaitingForWorkers',
    });
  });

  it('rolls workers when the spec changes: new ConfigMap content and pod-template hash', async () => {
    const spec = { provider: 'synthetic', symbols: ['BTC'], interval: '1s' };
    await userApply(cluster, source(each.namespace, 'roll', spec));
    const [before] = await eventually(
      () => deploymentsOf(cluster, each.namespace, 'roll'),
      (list) => list.length === 1,
    );
    const hashOf = (d: typeof before) =>
      d!.spec!.template.metadata!.annotations!['cryptoviz.dev/config-hash'];
    await userApply(cluster, source(each.namespace, 'roll', { ...spec, interval: '5s' }));
    const [after] = await eventually(
      () => deploymentsOf(cluster, each.namespace, 'roll'),
      (list) => list.length === 1 && hashOf(list[0]) !== hashOf(before),
    );
    expect(hashOf(after)).not.toBe(hashOf(before));
    const configMap = await cluster.core.readNamespacedConfigMap({
      name: 'fetcher-roll',
      namespace: each.namespace,
    });
    expect(JSON.parse(configMap.data!['roll.json']!).spec.interval).toBe('5s');
  });

  it('follows the scale subresource, and deletes shards no longer wanted', async () => {
    await userApply(
      cluster,
      source(each.namespace, 'scaled', {
        provider: 'synthetic',
        symbols: ['BTC', 'ETH', 'SOL', 'ADA'],
      }),
    );
    await eventually(
      () => deploymentsOf(cluster, each.namespace, 'scaled'),
      (list) => list.length === 1,
    );
    await cluster.custom.patchNamespacedCustomObjectScale(
      {
        group: 'cryptoviz.dev',
        version: 'v1alpha1',
        namespace: each.namespace,
        plural: 'cryptosources',
        name: 'scaled',
        body: { spec: { replicas: 3 } },
      },
      (await import('@kubernetes/client-node')).setHeaderOptions(
        'Content-Type',
        'application/merge-patch+json',
      ),
    );
    const three = await eventually(
      () => deploymentsOf(cluster, each.namespace, 'scaled'),
      (list) => list.length === 3,
    );
    expect(three.map((d) => envOf(d).SHARD)).toEqual(['0/3', '1/3', '2/3']);
    // The scale subresource reads back the status: replicas and the workers' selector.
    const scale = await eventually(
      async () =>
        (await cluster.custom.getNamespacedCustomObjectScale({
          group: 'cryptoviz.dev',
          version: 'v1alpha1',
          namespace: each.namespace,
          plural: 'cryptosources',
          name: 'scaled',
        })) as { status?: { replicas?: number; selector?: string } },
      (s) => s.status?.replicas === 3,
    );
    expect(scale.status!.selector).toBe('cryptoviz.dev/role=fetcher,cryptoviz.dev/resource=scaled');
    await userApply(
      cluster,
      source(each.namespace, 'scaled', {
        provider: 'synthetic',
        symbols: ['BTC', 'ETH', 'SOL', 'ADA'],
        replicas: 1,
      }),
    );
    await eventually(
      () => deploymentsOf(cluster, each.namespace, 'scaled'),
      (list) => list.length === 1,
    );
  });

  it('gives a model no finalizer, and removes the one earlier versions added', async () => {
    await userApply(
      cluster,
      model(each.namespace, 'btc-holt', { algorithm: 'holt', symbols: ['BTC'] }),
    );
    const [deployment] = await eventually(
      () => deploymentsOf(cluster, each.namespace, 'btc-holt'),
      (list) => list.length === 1,
    );
    expect(deployment!.metadata!.ownerReferences![0]!.kind).toBe('PredictionModel');
    expect(envOf(deployment!).MODEL_FILE).toBe('/etc/cryptoviz/btc-holt.json');
    const settled = await eventually(
      () => readCustom(cluster, each.namespace, 'predictionmodels', 'btc-holt'),
      (object) => object?.status?.observedGeneration === object?.metadata.generation,
    );
    expect(settled!.metadata.finalizers ?? []).toEqual([]);

    // As an earlier controller left it (and as a backup restored with kubectl would carry it).
    const legacy = { finalizers: [LEGACY_FINALIZER, 'example.com/keep'] };
    await userApply(cluster, {
      ...model(each.namespace, 'old-naive', { algorithm: 'naive', symbols: ['ETH'] }),
      metadata: { name: 'old-naive', namespace: each.namespace, ...legacy },
    });
    const released = await eventually(
      () => readCustom(cluster, each.namespace, 'predictionmodels', 'old-naive'),
      (object) => !object?.metadata.finalizers?.includes(LEGACY_FINALIZER),
    );
    expect(released!.metadata.finalizers).toEqual(['example.com/keep']);
  });

  it('lets a model carrying the old finalizer be deleted, with no JetStream consumer', async () => {
    await userApply(cluster, {
      ...model(each.namespace, 'doomed', { algorithm: 'naive', symbols: ['BTC'] }),
      metadata: { name: 'doomed', namespace: each.namespace, finalizers: [LEGACY_FINALIZER] },
    });
    await cluster.custom.deleteNamespacedCustomObject({
      group: 'cryptoviz.dev',
      version: 'v1alpha1',
      namespace: each.namespace,
      plural: 'predictionmodels',
      name: 'doomed',
    });
    await eventually(
      () => readCustom(cluster, each.namespace, 'predictionmodels', 'doomed'),
      (object) => object === undefined,
    );
  });

  it('puts back the replicas and image of a managed Deployment changed out of band', async () => {
    await userApply(
      cluster,
      source(each.namespace, 'drift', { provider: 'synthetic', symbols: ['BTC'], interval: '1s' }),
    );
    const name = 'fetcher-drift-0';
    const read = () => cluster.apps.readNamespacedDeployment({ name, namespace: each.namespace });
    const image = (d: V1Deployment) => d.spec!.template.spec!.containers[0]!.image;
    await eventually(
      () => deploymentsOf(cluster, each.namespace, 'drift'),
      (list) => list.length === 1,
    );
    const applied = await read();

    // `kubectl scale deploy fetcher-drift-0 --replicas=3`
    await cluster.apps.patchNamespacedDeploymentScale(
      { name, namespace: each.namespace, body: { spec: { replicas: 3 } }, fieldManager: 'kubectl' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const rescaled = await eventually(
      read,
      (d) => d.spec?.replicas === 1 && d.metadata!.generation! > applied.metadata!.generation! + 1,
    );
    expect(image(rescaled)).toBe('cryptoviz:test');

    // `kubectl edit deploy fetcher-drift-0`, changing the image
    await cluster.apps.patchNamespacedDeployment(
      {
        name,
        namespace: each.namespace,
        fieldManager: 'kubectl-edit',
        body: [
          { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'evil:latest' },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    const restored = await eventually(
      read,
      (d) =>
        image(d) === 'cryptoviz:test' &&
        d.metadata!.generation! > rescaled.metadata!.generation! + 1,
    );
    expect(restored.spec!.replicas).toBe(1);

    // Put back once, then left alone: resyncs (every 2 s here) send nothing that changes it.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect((await read()).metadata!.resourceVersion).toBe(restored.metadata!.resourceVersion);
  });

  it('reports what the workers beat: ready workers, last data, and their trouble', async () => {
    await userApply(
      cluster,
      source(each.namespace, 'beating', { provider: 'binance', symbols: ['BTC'] }),
    );
    const kv = await openHeartbeats(each.bus.js, each.bus.topo);
    const beat = (
      details: Partial<HeartbeatReport<'fetcher'>['details']>,
      consecutiveFailures: number,
    ) =>
      putHeartbeat(
        kv,
        testHeartbeat('fetcher', {
          id: 'fetcher-beating-0-abc',
          resource: `${each.namespace}/beating`,
          counters: { ticksPublished: 42, consecutiveFailures },
          details,
        }),
      );
    await eventually(
      () => deploymentsOf(cluster, each.namespace, 'beating'),
      (list) => list.length === 1,
    );
    await finishRollout(cluster, each.namespace, 'beating');
    await beat({ lastSuccessAt: '2026-11-22T10:00:00.000Z' }, 0);
    const ready = await eventually(
      () => readCustom(cluster, each.namespace, 'cryptosources', 'beating'),
      (object) => condition(object, 'Ready')?.status === 'True',
    );
    expect(ready!.status).toMatchObject({ ready: '1/1', lastTickTime: '2026-11-22T10:00:00.000Z' });

    await beat({ lastErrorKind: 'rate-limited', lastErrorSummary: 'HTTP 429' }, 3);
    const limited = await eventually(
      () => readCustom(cluster, each.namespace, 'cryptosources', 'beating'),
      (object) => condition(object, 'Degraded')?.reason === 'RateLimited',
    );
    expect(condition(limited, 'Degraded')!.message).toContain('HTTP 429');
  });

  it('keeps reporting the workers of the last good spec while the spec is invalid', async () => {
    // spec.replicas set: the API server reads no scale subresource without it.
    const spec = { algorithm: 'holt', symbols: ['BTC', 'ETH', 'SOL'], replicas: 2 };
    await userApply(cluster, model(each.namespace, 'typo', spec));
    await eventually(
      () => readCustom(cluster, each.namespace, 'predictionmodels', 'typo'),
      (object) => object?.status?.replicas === 2,
    );

    // Accepted by the API server (params is a map of numbers), refused by the holt schema.
    await userApply(
      cluster,
      model(each.namespace, 'typo', {
        ...spec,
        symbols: ['BTC'],
        replicas: 1,
        params: { alpha: 5 },
      }),
    );
    const invalid = await eventually(
      () => readCustom(cluster, each.namespace, 'predictionmodels', 'typo'),
      (object) =>
        object?.status?.observedGeneration === object?.metadata.generation &&
        condition(object, 'Ready')?.reason === 'InvalidSpec',
    );
    expect(invalid!.status).toMatchObject({ replicas: 2, symbolCount: 3, ready: '0/2' });
    expect(await deploymentsOf(cluster, each.namespace, 'typo')).toHaveLength(2);
    const scale = (await cluster.custom.getNamespacedCustomObjectScale({
      group: 'cryptoviz.dev',
      version: 'v1alpha1',
      namespace: each.namespace,
      plural: 'predictionmodels',
      name: 'typo',
    })) as { spec?: { replicas?: number }; status?: { replicas?: number } };
    expect(scale).toMatchObject({ spec: { replicas: 1 }, status: { replicas: 2 } });
  });

  it('is not Ready while an edit rolls out, though the old worker still beats', async () => {
    const spec = { provider: 'synthetic', symbols: ['BTC'], interval: '1s' };
    await userApply(cluster, source(each.namespace, 'edited', spec));
    const [first] = await eventually(
      () => deploymentsOf(cluster, each.namespace, 'edited'),
      (list) => list.length === 1,
    );
    await finishRollout(cluster, each.namespace, 'edited');
    const beat = beater('fetcher', `${each.namespace}/edited`);
    await beat('fetcher-edited-0-old');
    await eventually(
      () => readCustom(cluster, each.namespace, 'cryptosources', 'edited'),
      (object) => condition(object, 'Ready')?.status === 'True',
    );

    await userApply(cluster, source(each.namespace, 'edited', { ...spec, interval: '5s' }));
    await eventually(
      () => deploymentsOf(cluster, each.namespace, 'edited'),
      (list) => list[0]!.metadata!.generation! > first!.metadata!.generation!,
    );
    await beat('fetcher-edited-0-old');
    const rolling = await eventually(
      () => readCustom(cluster, each.namespace, 'cryptosources', 'edited'),
      (object) => condition(object, 'Progressing')?.reason === 'RollingOut',
    );
    expect(condition(rolling, 'Progressing')!.status).toBe('True');
    expect(condition(rolling, 'Ready')).toMatchObject({ status: 'False', reason: 'RollingOut' });

    await finishRollout(cluster, each.namespace, 'edited');
    await beat('fetcher-edited-0-new');
    const settled = await eventually(
      () => readCustom(cluster, each.namespace, 'cryptosources', 'edited'),
      (object) => condition(object, 'Ready')?.status === 'True',
    );
    expect(condition(settled, 'Progressing')).toMatchObject({ status: 'False', reason: 'Stable' });
  });

  it('is not Ready while a scale-down rolls out, though the old workers still beat', async () => {
    const spec = { provider: 'synthetic', symbols: ['BTC', 'ETH'], maxSymbolsPerWorker: 1 };
    await userApply(cluster, source(each.namespace, 'shrink', spec));
    await eventually(
      () => deploymentsOf(cluster, each.namespace, 'shrink'),
      (list) => list.length === 2,
    );
    await finishRollout(cluster, each.namespace, 'shrink');
    const beat = beater('fetcher', `${each.namespace}/shrink`);
    await Promise.all([beat('fetcher-shrink-0-old'), beat('fetcher-shrink-1-old')]);
    await eventually(
      () => readCustom(cluster, each.namespace, 'cryptosources', 'shrink'),
      (object) => condition(object, 'Ready')?.status === 'True',
    );

    await userApply(cluster, source(each.namespace, 'shrink', { ...spec, replicas: 1 }));
    // Shard 0 now carries every symbol: a new pod template (SHARD=0/1) to roll out.
    await eventually(
      () => deploymentsOf(cluster, each.namespace, 'shrink'),
      (list) => list.length === 1,
    );
    const rolling = await eventually(
      () => readCustom(cluster, each.namespace, 'cryptosources', 'shrink'),
      (object) => condition(object, 'Progressing')?.reason === 'RollingOut',
    );
    expect(condition(rolling, 'Ready')).toMatchObject({ status: 'False', reason: 'RollingOut' });
    expect(rolling!.status).toMatchObject({ replicas: 1 });

    await finishRollout(cluster, each.namespace, 'shrink');
    await beat('fetcher-shrink-0-new');
    await eventually(
      () => readCustom(cluster, each.namespace, 'cryptosources', 'shrink'),
      (object) => condition(object, 'Ready')?.status === 'True',
    );
  });

  it('reports Degraded/SecretMissing until the Secret exists', async () => {
    await userApply(
      cluster,
      source(each.namespace, 'keyed', {
        provider: 'coingecko',
        symbols: ['BTC'],
        apiKeySecretRef: { name: 'coingecko-key', key: 'apiKey' },
      }),
    );
    const missing = await eventually(
      () => readCustom(cluster, each.namespace, 'cryptosources', 'keyed'),
      (object) => condition(object, 'Degraded')?.reason === 'SecretMissing',
    );
    expect(condition(missing, 'Degraded')).toMatchObject({ status: 'True' });
    expect(condition(missing, 'Degraded')!.message).toContain('coingecko-key');
    const [deployment] = await deploymentsOf(cluster, each.namespace, 'keyed');
    expect(
      deployment!.spec!.template.spec!.containers[0]!.env!.find(
        (e) => e.name === 'CRYPTOVIZ_API_KEY',
      )?.valueFrom?.secretKeyRef,
    ).toEqual({ name: 'coingecko-key', key: 'apiKey' });
    const events = await cluster.core.listNamespacedEvent({ namespace: each.namespace });
    expect(events.items.some((e) => e.reason === 'SecretMissing' && e.type === 'Warning')).toBe(
      true,
    );

    await cluster.core.createNamespacedSecret({
      namespace: each.namespace,
      body: { metadata: { name: 'coingecko-key' }, stringData: { apiKey: 'k' } },
    });
    const recovered = await eventually(
      () => readCustom(cluster, each.namespace, 'cryptosources', 'keyed'),
      (object) => condition(object, 'Degraded')?.status === 'False',
      { timeoutMs: 30_000 },
    );
    expect(condition(recovered, 'Degraded')!.reason).toBe('AsExpected');
  });

  it.each([
    [{ provider: 'bitstamp', symbols: ['BTC'] }, /spec\.provider: Unsupported value: "bitstamp"/],
    [{ provider: 'binance', symbols: ['btc'] }, /spec\.symbols\[0\]: Invalid value: "btc"/],
    [
      { provider: 'binance', symbols: ['BTC', 'BTC'] },
      /\.spec\.symbols: duplicate entries for key \[="BTC"\]/,
    ],
    [
      { provider: 'binance', symbols: ['BTC'], interval: '500ms' },
      /spec\.interval: Invalid value: "500ms": must be at least 1s/,
    ],
    [
      { provider: 'binance', symbols: ['BTC'], maxSymbolsPerWorker: 0 },
      /spec\.maxSymbolsPerWorker: Invalid value: 0: .*greater than or equal to 1/,
    ],
    [
      { provider: 'binance', symbols: ['BTC'], minReplicas: 5, maxReplicas: 2 },
      /spec\.minReplicas: Invalid value: minReplicas must not exceed maxReplicas/,
    ],
    [
      { provider: 'replay', symbols: ['BTC'] },
      /spec\.replay: Invalid value: replay is required when provider is replay/,
    ],
    [
      { provider: 'replay', symbols: ['BTC'], replay: { data: { BTC: '/etc/passwd' } } },
      /spec\.replay\.data\.BTC: Invalid value: "\/etc\/passwd": .*should match/,
    ],
    [
      { provider: 'replay', symbols: ['BTC'], replay: { data: { BTC: 'data/../../etc/passwd' } } },
      /spec\.replay\.data\.BTC: Invalid value: "data\/\.\.\/\.\.\/etc\/passwd": .*should match/,
    ],
  ])(
    'rejects an invalid CryptoSource at the API server, naming the field (%j)',
    async (spec, message) => {
      expect(await rejection(userApply(cluster, source(each.namespace, 'bad', spec)))).toMatch(
        message,
      );
    },
  );

  it('scales the writer Deployment by the TICKS backlog, within bounds', async () => {
    await each.controller.stop();
    each.controller = await startController(cluster, each.namespace, each.bus, {
      writers: { deployment: 'writer', bounds: { min: 1, max: 4 }, intervalMs: 300 },
    });
    await cluster.apps.createNamespacedDeployment({
      namespace: each.namespace,
      body: {
        metadata: { name: 'writer' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'writer' } },
          template: {
            metadata: { labels: { app: 'writer' } },
            spec: { containers: [{ name: 'writer', image: 'cryptoviz:test' }] },
          },
        },
      },
    });
    await each.bus.jsm.consumers.add(each.bus.topo.streams.ticks, {
      durable_name: each.bus.topo.consumer('writer'),
      ack_policy: 'explicit',
    });
    // A backlog of 2,500 ticks nobody writes: three writers at 1,000 each.
    await Promise.all(
      Array.from({ length: 2_500 }, (_, i) =>
        each.bus.js.publish(
          each.bus.topo.tickSubject({ namespace: 'default', name: 'backlog' }, 'BTC'),
          `{"n":${i}}`,
        ),
      ),
    );
    const scaled = await eventually(
      () =>
        cluster.apps.readNamespacedDeploymentScale({ name: 'writer', namespace: each.namespace }),
      (scale) => scale.spec?.replicas === 3,
    );
    expect(scaled.spec!.replicas).toBe(3);
  });

  it('accepts every sample manifest as written', async () => {
    for (const file of sampleFiles()) {
      for (const object of parse(readFileSync(file, 'utf8')).filter(Boolean)) {
        await userApply(cluster, {
          ...object,
          metadata: { ...object.metadata, namespace: each.namespace },
        });
      }
    }
  });

  it('rejects a consensus model without members, and members without consensus', async () => {
    expect(
      await rejection(
        userApply(
          cluster,
          model(each.namespace, 'bad', { algorithm: 'consensus', symbols: ['BTC'] }),
        ),
      ),
    ).toMatch(/spec\.members: Invalid value: members are required when algorithm is consensus/);
    expect(
      await rejection(
        userApply(
          cluster,
          model(each.namespace, 'bad', {
            algorithm: 'holt',
            symbols: ['BTC'],
            members: [{ algorithm: 'naive' }],
          }),
        ),
      ),
    ).toMatch(/spec\.members/);
    expect(
      await rejection(
        userApply(
          cluster,
          model(each.namespace, 'bad', { algorithm: 'prophet', symbols: ['BTC'] }),
        ),
      ),
    ).toMatch(/spec\.algorithm: Unsupported value: "prophet"/);
  });
});
