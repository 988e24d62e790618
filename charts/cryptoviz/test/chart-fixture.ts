import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  loadAllYaml,
  type KubernetesObject,
  type V1Container,
  type V1Deployment,
  type V1PodSpec,
  type V1PodTemplateSpec,
  type V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { ensureHelm } from '@cryptoviz/kube-testenv';
import { cryptoSourceSchema, predictionModelSchema } from '@cryptoviz/resources';
import { planModel, planSource, type WorkloadOwner } from '@cryptoviz/workloads';
import { renderWorkloads } from '@cryptoviz/controller';

export const CHART_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_DIR = fileURLToPath(new URL('../../..', import.meta.url));

/** The first build of helm from the Go module proxy takes minutes on two cores (cached after). */
export const HELM_BUILD_TIMEOUT_MS = 60 * 60_000;

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function findHelm(): Promise<string> {
  return ensureHelm((line) => process.stderr.write(`[helm build] ${line}\n`));
}

/** Runs helm with its own state folders, so a user's repositories and config stay out of it. */
export async function runHelm(helm: string, args: string[]): Promise<HelmResult> {
  const home = mkdtempSync(join(tmpdir(), 'cryptoviz-helm-'));
  try {
    const { stdout, stderr } = await promisify(execFile)(helm, args, {
      maxBuffer: 64 * 1024 * 1024,
      env: {
        PATH: process.env.PATH,
        // Without HOME, client-go puts its discovery cache in the working directory (the repo).
        HOME: home,
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_DATA_HOME: join(home, 'data'),
      },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** helm with a values file written from `values`; extra arguments after the values. */
export async function helmWithValues(
  helm: string,
  args: string[],
  values: object,
  extra: string[] = [],
): Promise<HelmResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cryptoviz-values-'));
  const file = join(dir, 'values.json');
  writeFileSync(file, JSON.stringify(values));
  try {
    return await runHelm(helm, [...args, '--values', file, ...extra]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const RELEASE = 'cv';

/** `helm template` of the chart, hooks and tests included, as typed objects. */
export async function renderChart(
  helm: string,
  values: object,
  namespace = 'cryptoviz',
  extra: string[] = [],
): Promise<KubernetesObject[]> {
  const result = await helmWithValues(
    helm,
    ['template', RELEASE, CHART_DIR, '--namespace', namespace],
    values,
    extra,
  );
  if (result.code !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return (loadAllYaml(result.stdout) as (KubernetesObject | null)[]).filter(
    (object): object is KubernetesObject => object !== null,
  );
}

/** The values sets every check runs over: what users install. */
export const VALUES_SETS: Record<string, object> = {
  defaults: {},
  external: {
    nats: { external: { enabled: true, url: 'nats://nats.messaging.svc:4222' } },
    database: {
      external: { enabled: true, existingSecret: 'cryptoviz-db-app', existingSecretKey: 'uri' },
    },
    gateway: { token: { existingSecret: 'cryptoviz-gateway', existingSecretKey: 'token' } },
  },
  ingress: {
    ingress: {
      enabled: true,
      className: 'nginx',
      host: 'cryptoviz.example.test',
      tls: [{ secretName: 'cryptoviz-tls', hosts: ['cryptoviz.example.test'] }],
    },
  },
  ha: {
    controller: { replicas: 3, watchAllNamespaces: true },
    gateway: { replicas: 2 },
    web: { replicas: 2 },
    writer: { autoscale: { enabled: false }, replicas: 2 },
    apiKeys: { 'coingecko-key': { apiKey: 'placeholder-api-key-value' } },
    samples: [
      {
        kind: 'CryptoSource',
        name: 'synthetic-majors',
        spec: { provider: 'synthetic', symbols: ['BTC', 'ETH'], interval: '1s' },
      },
      {
        kind: 'CryptoSource',
        name: 'gecko',
        spec: {
          provider: 'coingecko',
          symbols: ['BTC'],
          apiKeySecretRef: { name: 'coingecko-key', key: 'apiKey' },
        },
      },
      { kind: 'PredictionModel', name: 'btc-holt', spec: { algorithm: 'holt', symbols: ['BTC'] } },
    ],
  },
  // What Tilt installs on kind.
  dev: parseYaml(readFileSync(join(REPO_DIR, 'k8s-dev/values-dev.yaml'), 'utf8')) as object,
};

export interface Workload {
  object: KubernetesObject;
  template: V1PodTemplateSpec;
}

/** Everything that runs pods, with the pod it would run (a bare Pod is its own template). */
export function workloadsOf(objects: KubernetesObject[]): Workload[] {
  return objects.flatMap((object): Workload[] => {
    const spec = (object as { spec?: Record<string, unknown> }).spec;
    if (object.kind === 'Pod') {
      return [
        { object, template: { metadata: object.metadata, spec: spec as unknown as V1PodSpec } },
      ];
    }
    const template = spec?.template as V1PodTemplateSpec | undefined;
    return template?.spec?.containers ? [{ object, template }] : [];
  });
}

export function containersOf(spec: V1PodSpec): V1Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

/**
 * The Pod a workload's controller would create: for a StatefulSet, the claims of its
 * volumeClaimTemplates become volumes, as the StatefulSet controller adds them.
 */
export function podOf(workload: Workload, namespace: string, name: string): KubernetesObject {
  const spec = structuredClone(workload.template.spec!);
  const claims =
    (workload.object as { spec?: { volumeClaimTemplates?: V1PersistentVolumeClaim[] } }).spec
      ?.volumeClaimTemplates ?? [];
  for (const claim of claims) {
    const volumeName = claim.metadata!.name!;
    spec.volumes = [
      ...(spec.volumes ?? []),
      { name: volumeName, persistentVolumeClaim: { claimName: `${volumeName}-${name}` } },
    ];
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: workload.template.metadata?.labels },
    spec,
  } as KubernetesObject;
}

export function nameOf(object: KubernetesObject): string {
  return `${object.kind}/${object.metadata?.name}`;
}

/** The Deployments the controller renders for a source and a model, as it would in `namespace`. */
export function controllerWorkers(namespace: string): V1Deployment[] {
  const apiVersion = 'cryptoviz.dev/v1alpha1';
  const owner = (kind: WorkloadOwner['kind'], name: string): WorkloadOwner => ({
    kind,
    namespace,
    name,
    uid: `uid-${name}`,
    apiVersion,
  });
  const metadata = (name: string) => ({ name, namespace });
  const source = cryptoSourceSchema.parse({
    apiVersion,
    kind: 'CryptoSource',
    metadata: metadata('majors'),
    spec: { provider: 'synthetic', symbols: ['BTC', 'ETH'] },
  });
  const model = predictionModelSchema.parse({
    apiVersion,
    kind: 'PredictionModel',
    metadata: metadata('holt'),
    spec: { algorithm: 'holt', symbols: ['BTC'] },
  });
  const options = {
    image: 'ghcr.io/cryptoviz/cryptoviz:0.1.0',
    baseEnv: {},
    databaseSecret: { name: 'db', key: 'url' },
  };
  return [
    ...renderWorkloads(owner('CryptoSource', 'majors'), planSource(source), options).deployments,
    ...renderWorkloads(owner('PredictionModel', 'holt'), planModel(model), options).deployments,
  ];
}
