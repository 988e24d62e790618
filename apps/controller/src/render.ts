import { createHash } from 'node:crypto';
import type {
  V1ConfigMap,
  V1Deployment,
  V1EnvVar,
  V1ObjectMeta,
  V1OwnerReference,
} from '@kubernetes/client-node';
import { IMAGE_UID, type Role, type Workload, type WorkloadOwner } from '@cryptoviz/workloads';
import { ANNOTATIONS, LABELS, MANAGED_BY } from './labels.ts';

export interface RenderOptions {
  /** One image holds every role; its entrypoint takes the role as its argument. */
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Connection settings every worker gets (NATS_URL, CRYPTOVIZ_NAMESPACE, LOG_LEVEL, …). */
  baseEnv: Record<string, string>;
  /** DATABASE_URL for roles that write, from a Secret so it never sits in a Deployment. */
  databaseSecret?: { name: string; key: string };
}

const ROLES_NEEDING_DATABASE: ReadonlySet<Role> = new Set(['writer', 'predictor']);

export const CONFIG_MOUNT = '/etc/cryptoviz';
export const HTTP_PORT = 9464;

/** What every worker container runs under (the chart's own containers share it). */
const CONTAINER_SECURITY = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

export function ownerReference(owner: WorkloadOwner): V1OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    uid: owner.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Labels shared by everything an owner's workers consist of (and the scale selector). */
export function ownerLabels(owner: WorkloadOwner, role: Role): Record<string, string> {
  return { [LABELS.role]: role, [LABELS.resource]: owner.name };
}

export function ownerSelector(owner: WorkloadOwner, role: Role): string {
  return Object.entries(ownerLabels(owner, role))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

function commonLabels(owner: WorkloadOwner, role: Role): Record<string, string> {
  return {
    ...ownerLabels(owner, role),
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.partOf]: 'cryptoviz',
    [LABELS.name]: role,
    [LABELS.kind]: owner.kind,
  };
}

export function configMapName(owner: WorkloadOwner, role: Role): string {
  return `${role}-${owner.name}`;
}

/** Stamps the hash of the object's content, so an unchanged object is never re-sent. */
function withAppliedHash<T extends { metadata?: V1ObjectMeta }>(object: T): T {
  const hash = hashOf(object);
  object.metadata!.annotations = {
    ...object.metadata!.annotations,
    [ANNOTATIONS.appliedHash]: hash,
  };
  return object;
}

export interface RenderedWorkloads {
  configMap?: V1ConfigMap;
  deployments: V1Deployment[];
}

/**
 * The Kubernetes objects an owner's workloads become: one ConfigMap with the worker's manifest,
 * and one single-replica Deployment per shard (a shard is a fixed `SHARD=index/count`, which a
 * Deployment's interchangeable pods cannot carry by ordinal). Pure: same input, same objects.
 */
export function renderWorkloads(
  owner: WorkloadOwner,
  workloads: Workload[],
  options: RenderOptions,
): RenderedWorkloads {
  const first = workloads[0];
  if (!first) return { deployments: [] };
  const role = first.role;
  const files = Object.fromEntries(
    Object.values(first.files).map((file) => [file.name, file.content]),
  );
  const configMap: V1ConfigMap | undefined =
    Object.keys(files).length > 0
      ? withAppliedHash<V1ConfigMap>({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: configMapName(owner, role),
            namespace: owner.namespace,
            labels: commonLabels(owner, role),
            ownerReferences: [ownerReference(owner)],
          },
          data: files,
        })
      : undefined;
  const configHash = hashOf(files);
  return {
    configMap,
    deployments: workloads.map((workload, index) =>
      renderDeployment(owner, workload, index, configHash, options),
    ),
  };
}

function renderDeployment(
  owner: WorkloadOwner,
  workload: Workload,
  index: number,
  configHash: string,
  options: RenderOptions,
): V1Deployment {
  const labels = commonLabels(owner, workload.role);
  const selector = { ...ownerLabels(owner, workload.role), [LABELS.shard]: String(index) };
  const env: V1EnvVar[] = [
    ...Object.entries({ ...options.baseEnv, ...workload.env }).map(([name, value]) => ({
      name,
      value,
    })),
    ...Object.entries(workload.files).map(([name, file]) => ({
      name,
      value: `${CONFIG_MOUNT}/${file.name}`,
    })),
    ...Object.entries(workload.secretEnv).map(([name, ref]) => ({
      name,
      valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } },
    })),
    { name: 'HTTP_PORT', value: String(HTTP_PORT) },
    // The pod's name: unique per worker and what `kubectl logs` shows next to a heartbeat.
    { name: 'WORKER_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  ];
  if (options.databaseSecret && ROLES_NEEDING_DATABASE.has(workload.role)) {
    env.push({
      name: 'DATABASE_URL',
      valueFrom: {
        secretKeyRef: { name: options.databaseSecret.name, key: options.databaseSecret.key },
      },
    });
  }
  const probe = (path: string) => ({
    httpGet: { path, port: 'http' },
    periodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  const hasConfig = Object.keys(workload.files).length > 0;
  const configMounts = hasConfig ? [{ name: 'config', mountPath: CONFIG_MOUNT }] : [];
  const configVolumes = hasConfig
    ? [{ name: 'config', configMap: { name: configMapName(owner, workload.role) } }]
    : [];
  return withAppliedHash<V1Deployment>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: workload.name,
      namespace: owner.namespace,
      labels: { ...labels, [LABELS.shard]: String(index) },
      ownerReferences: [ownerReference(owner)],
    },
    spec: {
      replicas: 1,
      // Two workers carrying one shard would publish every tick twice; replace, don't surge.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: { ...labels, [LABELS.shard]: String(index) },
          annotations: { [ANNOTATIONS.configHash]: configHash },
        },
        spec: {
          terminationGracePeriodSeconds: 30,
          // Workers never call the Kubernetes API.
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: IMAGE_UID,
            runAsGroup: IMAGE_UID,
            fsGroup: IMAGE_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: workload.role,
              image: options.image,
              imagePullPolicy: options.imagePullPolicy ?? 'IfNotPresent',
              args: [workload.role],
              env,
              ports: [{ name: 'http', containerPort: HTTP_PORT }],
              livenessProbe: probe('/healthz'),
              readinessProbe: probe('/readyz'),
              resources: {
                requests: { cpu: '50m', memory: '128Mi' },
                limits: { cpu: '1', memory: '512Mi' },
              },
              securityContext: CONTAINER_SECURITY,
              // A crashed worker's last log lines become its termination message, which the
              // controller quotes (scrubbed) in the resource's status: why it stopped.
              terminationMessagePolicy: 'FallbackToLogsOnError',
              // The root filesystem is read-only; Node and its libraries may still write to /tmp.
              volumeMounts: [...configMounts, { name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [...configVolumes, { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  });
}
