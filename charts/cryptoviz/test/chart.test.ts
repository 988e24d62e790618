// The chart without a cluster: helm lint, the rendered YAML against the rules that matter, the
// values schema, and the CRDs kept identical to the repository's.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  KubernetesObject,
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1PodSpec,
  V1PolicyRule,
  V1Secret,
} from '@kubernetes/client-node';
import { commonEnv, type ServiceDefinition } from '@cryptoviz/runtime';
import { controllerService } from '@cryptoviz/controller';
import { gatewayService } from '@cryptoviz/gateway';
import { writerService } from '@cryptoviz/writer';
import { webService } from '@cryptoviz/web/server';
import {
  CHART_DIR,
  containersOf,
  controllerWorkers,
  findHelm,
  HELM_BUILD_TIMEOUT_MS,
  helmWithValues,
  nameOf,
  RELEASE,
  renderChart,
  REPO_DIR,
  runHelm,
  VALUES_SETS,
  workloadsOf,
} from './chart-fixture.ts';

let helm: string;
const rendered: Record<string, KubernetesObject[]> = {};
// Rendered only: the API server would need the ServiceMonitor CRD and the namespace 'markets'.
const ALL_SETS = {
  ...VALUES_SETS,
  elsewhere: { resourcesNamespace: 'markets', metrics: { serviceMonitor: { enabled: true } } },
};

beforeAll(async () => {
  helm = await findHelm();
  for (const [name, values] of Object.entries(ALL_SETS)) {
    rendered[name] = await renderChart(helm, values);
  }
}, HELM_BUILD_TIMEOUT_MS);

/** The rules every container keeps, the chart's and the controller's workers alike. */
function containerProblems(pod: V1PodSpec, container: V1Container): string[] {
  const problems: string[] = [];
  const sc = container.securityContext ?? {};
  const podSc = pod.securityContext ?? {};
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) problems.push('runAsNonRoot');
  if ((sc.runAsUser ?? podSc.runAsUser) === 0) problems.push('runAsUser 0');
  if (sc.allowPrivilegeEscalation !== false) problems.push('allowPrivilegeEscalation');
  if (sc.readOnlyRootFilesystem !== true) problems.push('readOnlyRootFilesystem');
  if (!sc.capabilities?.drop?.includes('ALL')) problems.push('capabilities.drop ALL');
  if (sc.capabilities?.add?.length) problems.push('capabilities.add');
  if ((sc.seccompProfile ?? podSc.seccompProfile)?.type !== 'RuntimeDefault') {
    problems.push('seccompProfile RuntimeDefault');
  }
  for (const kind of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory']) {
      if (!container.resources?.[kind]?.[resource]) problems.push(`resources.${kind}.${resource}`);
    }
  }
  const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
  const tmpVolume = pod.volumes?.find((volume) => volume.name === tmp?.name);
  if (!tmpVolume?.emptyDir) problems.push('an emptyDir on /tmp');
  return problems;
}

const SECRET_NAMES = /(TOKEN|PASSWORD|API_KEY|DATABASE_URL)$/;

function envOf(container: V1Container): V1EnvVar[] {
  return container.env ?? [];
}

function secretValues(objects: KubernetesObject[]): string[] {
  return objects
    .filter((object): object is V1Secret & KubernetesObject => object.kind === 'Secret')
    .flatMap((secret) => [
      ...Object.values(secret.data ?? {}).map((value) => Buffer.from(value, 'base64').toString()),
      ...Object.values(secret.stringData ?? {}),
    ])
    .filter((value) => value.length >= 16);
}

function byName(objects: KubernetesObject[], kind: string, component: string): KubernetesObject {
  const name = `${RELEASE}-cryptoviz-${component}`;
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
}

function envValue(c: V1Container, name: string): string | undefined {
  return envOf(c).find((e) => e.name === name)?.value;
}

function container(objects: KubernetesObject[], component: string): V1Container {
  return (byName(objects, 'Deployment', component) as V1Deployment).spec!.template.spec!
    .containers[0]!;
}

describe('the chart', () => {
  it('passes helm lint --strict with every values set', async () => {
    for (const [name, values] of Object.entries(ALL_SETS)) {
      const result = await helmWithValues(helm, ['lint', '--strict', CHART_DIR], values);
      expect(result.code, `${name}:\n${result.stdout}${result.stderr}`).toBe(0);
    }
  });

  it('ships the CRDs byte for byte as the repository generates them', () => {
    const files = (dir: string) => readdirSync(dir).filter((file) => file.endsWith('.yaml'));
    const repoCrds = join(REPO_DIR, 'crds');
    const chartCrds = join(CHART_DIR, 'crds');
    expect(files(chartCrds), 'run: npm run crds').toEqual(files(repoCrds));
    for (const file of files(repoCrds)) {
      expect(
        readFileSync(join(chartCrds, file), 'utf8') === readFileSync(join(repoCrds, file), 'utf8'),
        `charts/cryptoviz/crds/${file} differs from crds/${file}: npm run crds`,
      ).toBe(true);
    }
  });

  it('grants no RBAC wildcard, and only the controller and gateway an API token', () => {
    for (const [set, objects] of Object.entries(rendered)) {
      const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
      expect(roles.length, set).toBeGreaterThan(0);
      for (const role of roles) {
        for (const rule of (role as { rules?: V1PolicyRule[] }).rules ?? []) {
          for (const field of ['apiGroups', 'resources', 'verbs', 'resourceNames'] as const) {
            expect(rule[field] ?? [], `${set} ${nameOf(role)} ${field}`).not.toContain('*');
          }
        }
      }
      for (const { object, template } of workloadsOf(objects)) {
        const serviceAccount = template.spec!.serviceAccountName ?? '';
        const mounts = template.spec!.automountServiceAccountToken !== false;
        expect(mounts, `${set} ${nameOf(object)} mounts a token`).toBe(
          /-(controller|gateway)$/.test(serviceAccount),
        );
      }
    }
  });

  it('runs every container non-root, read-only, without capabilities, with limits', () => {
    for (const [set, objects] of Object.entries(rendered)) {
      const workloads = workloadsOf(objects);
      expect(workloads.length, set).toBeGreaterThan(4);
      for (const { object, template } of workloads) {
        for (const c of containersOf(template.spec!)) {
          expect(
            containerProblems(template.spec!, c),
            `${set} ${nameOf(object)} ${c.name}`,
          ).toEqual([]);
        }
      }
    }
  });

  it('runs the workers the controller renders under the same rules', () => {
    const deployments = controllerWorkers('markets');
    expect(deployments.length).toBe(2);
    for (const deployment of deployments) {
      const spec = deployment.spec!.template.spec!;
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of containersOf(spec)) {
        expect(containerProblems(spec, c), deployment.metadata!.name).toEqual([]);
      }
    }
  });

  it('puts no secret in an env value: tokens, passwords and URLs come from Secrets', () => {
    for (const [set, objects] of Object.entries(rendered)) {
      const secrets = secretValues(objects);
      const notSecrets = JSON.stringify(objects.filter((o) => o.kind !== 'Secret'));
      for (const value of secrets) {
        expect(notSecrets.includes(value), `${set}: a Secret's value outside its Secret`).toBe(
          false,
        );
      }
      for (const { object, template } of workloadsOf(objects)) {
        for (const c of containersOf(template.spec!)) {
          for (const env of envOf(c).filter((e) => SECRET_NAMES.test(e.name))) {
            expect(env.value, `${set} ${nameOf(object)} ${env.name}`).toBeUndefined();
            expect(
              env.valueFrom?.secretKeyRef?.name,
              `${set} ${nameOf(object)} ${env.name}`,
            ).toBeTruthy();
          }
        }
      }
    }
    // The token and the database URL of the default install, generated into Secrets.
    expect(secretValues(rendered.defaults!).length).toBe(3);
  });

  it('gives each role an environment its own schema accepts, and probes on /healthz, /readyz', () => {
    const services: Record<string, ServiceDefinition<z.ZodRawShape>> = {
      controller: controllerService as unknown as ServiceDefinition<z.ZodRawShape>,
      writer: writerService as unknown as ServiceDefinition<z.ZodRawShape>,
      gateway: gatewayService as unknown as ServiceDefinition<z.ZodRawShape>,
      web: webService as unknown as ServiceDefinition<z.ZodRawShape>,
    };
    for (const [set, objects] of Object.entries(rendered)) {
      for (const [role, service] of Object.entries(services)) {
        const c = container(objects, role);
        expect(c.args, `${set} ${role}`).toEqual([role]);
        // A reference stands in for what Kubernetes fills in at run time.
        const env = Object.fromEntries(
          envOf(c).map((e) => [
            e.name,
            e.value ??
              (e.name === 'DATABASE_URL'
                ? 'postgres://user@db.example:5432/cryptoviz'
                : 'resolved-by-kubernetes-0123456789'),
          ]),
        );
        const parsed = z.object({ ...commonEnv, ...service.env }).safeParse(env);
        expect(parsed.error?.message, `${set} ${role}`).toBeUndefined();
        expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
        expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
        expect(c.ports?.find((p) => p.name === 'metrics')?.containerPort).toBe(9464);
      }
      const controller = container(objects, 'controller');
      const workerImage = controller.env!.find((e) => e.name === 'WORKER_IMAGE')?.value;
      expect(workerImage, set).toBe(controller.image);
      expect(workerImage, set).toBe('ghcr.io/cryptoviz/cryptoviz:0.1.0');
    }
  });

  it('leaves the writers’ replica count to the controller while it scales them', () => {
    const writer = byName(rendered.defaults!, 'Deployment', 'writer') as V1Deployment;
    expect(writer.spec!.replicas).toBeUndefined();
    const env = container(rendered.defaults!, 'controller').env!;
    expect(env.find((e) => e.name === 'WRITER_DEPLOYMENT')?.value).toBe(writer.metadata!.name);
    const fixed = byName(rendered.ha!, 'Deployment', 'writer') as V1Deployment;
    expect(fixed.spec!.replicas).toBe(2);
  });

  it('migrates before an upgrade, and on install as the database allows', async () => {
    const hook = (objects: KubernetesObject[], component = 'migrate') =>
      byName(objects, 'Job', component).metadata!.annotations?.['helm.sh/hook'];
    expect(hook(rendered.external!)).toBe('pre-install,pre-upgrade');
    // The bundled database is created by the release itself: on install a plain Job of the
    // release migrates it (a post-install hook would wait on writers that wait on the schema).
    expect(hook(rendered.defaults!, 'migrate-install')).toBeUndefined();
    expect(() => byName(rendered.defaults!, 'Job', 'migrate')).toThrow(/not rendered/);
    const upgrade = await renderChart(helm, {}, 'cryptoviz', ['--is-upgrade']);
    expect(hook(upgrade)).toBe('pre-upgrade');
    expect(() => byName(upgrade, 'Job', 'migrate-install')).toThrow(/not rendered/);
    for (const job of [
      byName(rendered.defaults!, 'Job', 'migrate-install'),
      byName(upgrade, 'Job', 'migrate'),
    ] as (KubernetesObject & { spec: { template: { spec: V1PodSpec } } })[]) {
      expect(job.spec.template.spec.containers[0]!.args).toEqual(['migrate']);
    }
  });

  it('bundles NATS and TimescaleDB unless told to use external ones', () => {
    const kinds = (objects: KubernetesObject[]) =>
      objects
        .filter((o) => o.kind === 'StatefulSet')
        .map((o) => o.metadata!.name)
        .sort();
    expect(kinds(rendered.defaults!)).toEqual(['cv-cryptoviz-nats', 'cv-cryptoviz-postgresql']);
    expect(kinds(rendered.external!)).toEqual([]);
    const env = container(rendered.external!, 'gateway').env!;
    expect(env.find((e) => e.name === 'NATS_URL')?.value).toBe('nats://nats.messaging.svc:4222');
    expect(env.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({
      name: 'cryptoviz-db-app',
      key: 'uri',
    });
    expect(env.find((e) => e.name === 'GATEWAY_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
      name: 'cryptoviz-gateway',
      key: 'token',
    });
  });

  it('keeps disruption budgets for roles with more than one replica', () => {
    const budgets = (objects: KubernetesObject[]) =>
      objects.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.metadata!.name);
    expect(budgets(rendered.defaults!)).toEqual(['cv-cryptoviz-controller']);
    expect(budgets(rendered.ha!).sort()).toEqual([
      'cv-cryptoviz-controller',
      'cv-cryptoviz-gateway',
      'cv-cryptoviz-web',
    ]);
  });

  it('routes the ingress host to the dashboard, which forwards /trpc to the gateway', () => {
    const ingress = byName(rendered.ingress!, 'Ingress', 'web') as KubernetesObject & {
      spec: { rules: { host: string; http: { paths: { backend: unknown }[] } }[] };
    };
    expect(ingress.spec.rules[0]!.host).toBe('cryptoviz.example.test');
    expect(ingress.spec.rules[0]!.http.paths[0]!.backend).toEqual({
      service: { name: 'cv-cryptoviz-web', port: { name: 'http' } },
    });
    const env = container(rendered.ingress!, 'web').env!;
    expect(env.find((e) => e.name === 'GATEWAY_URL')?.value).toBe(
      'http://cv-cryptoviz-gateway.cryptoviz.svc:8080',
    );
    expect(rendered.defaults!.some((o) => o.kind === 'Ingress')).toBe(false);
  });

  it('watches, serves and grants in resourcesNamespace; leads and scales in its own', () => {
    const objects = rendered.elsewhere!;
    expect(envValue(container(objects, 'controller'), 'WATCH_NAMESPACE')).toBe('markets');
    expect(envValue(container(objects, 'controller'), 'LEASE_NAMESPACE')).toBe('cryptoviz');
    expect(envValue(container(objects, 'gateway'), 'GATEWAY_NAMESPACE')).toBe('markets');
    const namespaces = Object.fromEntries(
      objects
        .filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')
        .map((o) => [nameOf(o), o.metadata!.namespace]),
    );
    expect(namespaces).toEqual({
      'Role/cv-cryptoviz-controller': 'markets',
      'RoleBinding/cv-cryptoviz-controller': 'markets',
      'Role/cv-cryptoviz-gateway': 'markets',
      'RoleBinding/cv-cryptoviz-gateway': 'markets',
      'Role/cv-cryptoviz-controller-leader': 'cryptoviz',
      'RoleBinding/cv-cryptoviz-controller-leader': 'cryptoviz',
    });
    expect(envValue(container(rendered.ha!, 'controller'), 'WATCH_NAMESPACE')).toBe('');
  });

  it('selects the metrics Services with the ServiceMonitor when asked', () => {
    expect(rendered.defaults!.some((o) => o.kind === 'ServiceMonitor')).toBe(false);
    const monitor = rendered.elsewhere!.find((o) => o.kind === 'ServiceMonitor') as
      | (KubernetesObject & { spec: { selector: { matchLabels: Record<string, string> } } })
      | undefined;
    const selector = monitor!.spec.selector.matchLabels;
    const selected = rendered.elsewhere!.filter(
      (o) =>
        o.kind === 'Service' &&
        Object.entries(selector).every(([key, value]) => o.metadata?.labels?.[key] === value),
    );
    expect(selected.map((s) => s.metadata!.name).sort()).toEqual([
      'cv-cryptoviz-controller',
      'cv-cryptoviz-gateway',
      'cv-cryptoviz-web',
      'cv-cryptoviz-writer',
    ]);
  });
});

describe('values.schema.json', () => {
  const refusals: [string, object, string[]][] = [
    ['negative replicas', { controller: { replicas: -1 } }, ['/controller/replicas']],
    ['replicas as text', { gateway: { replicas: 'two' } }, ['/gateway/replicas']],
    [
      'an unknown provider in a sample',
      {
        samples: [
          { kind: 'CryptoSource', name: 'x', spec: { provider: 'mtgox', symbols: ['BTC'] } },
        ],
      },
      ['/samples/0/spec/provider'],
    ],
    [
      'an unknown algorithm in a sample',
      {
        samples: [
          { kind: 'PredictionModel', name: 'x', spec: { algorithm: 'oracle', symbols: ['BTC'] } },
        ],
      },
      ['/samples/0/spec/algorithm'],
    ],
    [
      'an external database without existingSecret',
      { database: { external: { enabled: true } } },
      ['/database/external', 'existingSecret'],
    ],
    [
      'an external NATS without a URL',
      { nats: { external: { enabled: true } } },
      ['/nats/external', 'url'],
    ],
    ['an unknown log level', { logLevel: 'loud' }, ['/logLevel']],
    [
      'a memory limit that is no quantity',
      { web: { resources: { limits: { cpu: '1', memory: 'lots' } } } },
      ['/web/resources/limits/memory'],
    ],
  ];
  for (const [what, values, named] of refusals) {
    it(`refuses ${what}, naming the field`, async () => {
      const result = await helmWithValues(helm, ['template', RELEASE, CHART_DIR], values);
      expect(result.code).not.toBe(0);
      for (const text of named) expect(result.stderr).toContain(text);
    });
  }

  it('refuses writer bounds the wrong way round, naming both', async () => {
    const result = await helmWithValues(helm, ['template', RELEASE, CHART_DIR], {
      writer: { autoscale: { minReplicas: 5, maxReplicas: 2 } },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'writer.autoscale.minReplicas must not exceed writer.autoscale.maxReplicas',
    );
  });

  it('knows the providers and algorithms the CRDs know', () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
    const [sourceRule, modelRule] = schema.properties.samples.items.allOf;
    const crdEnum = (file: string, field: string): string[] => {
      const crd = parseYaml(readFileSync(join(REPO_DIR, 'crds', file), 'utf8'));
      return crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties[field].enum;
    };
    expect(sourceRule.then.properties.spec.properties.provider.enum).toEqual(
      crdEnum('cryptosources.cryptoviz.dev.yaml', 'provider'),
    );
    expect(modelRule.then.properties.spec.properties.algorithm.enum).toEqual(
      crdEnum('predictionmodels.cryptoviz.dev.yaml', 'algorithm'),
    );
  });

  it('accepts the chart’s own defaults', async () => {
    const result = await runHelm(helm, ['template', RELEASE, CHART_DIR]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
