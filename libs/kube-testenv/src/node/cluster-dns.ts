import type {
  KubernetesObject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1ConfigMap,
  V1Deployment,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { NAME_PATTERN } from '@cryptoviz/resources';
import { z } from 'zod';

/** A cluster domain such as cluster.local: DNS-1123 labels joined by dots. */
const domainSchema = z
  .string()
  .max(253)
  .refine(
    (domain) => domain.split('.').every((label) => new RegExp(NAME_PATTERN).test(label)),
    'must be DNS-1123 labels joined by dots, e.g. cluster.local',
  );

const clusterDnsOptionsSchema = z.object({
  /** An image already on the node (imagePullPolicy Never) with the CoreDNS binary at `command`. */
  image: z.string().min(1),
  /** The kube-dns Service's address: the kubelet's clusterDNS, inside the service CIDR. */
  clusterIP: z.union([z.ipv4(), z.ipv6()]),
  domain: domainSchema.default('cluster.local'),
  command: z.array(z.string().min(1)).min(1).default(['/coredns']),
});
export type ClusterDnsOptions = z.input<typeof clusterDnsOptionsSchema>;

const corefileOptionsSchema = z.object({
  domain: domainSchema.default('cluster.local'),
  dnsPort: z.number().int().min(1).max(65535),
  /** Only this address, not every one (a test on loopback); all of the Pod's by default. */
  bind: z.union([z.ipv4(), z.ipv6()]).optional(),
  /** host:port of the health plugin's /health (liveness) and the ready plugin's /ready. */
  healthAddress: z.string().min(1),
  readyAddress: z.string().min(1),
  /** Outside a Pod: the API server and credentials (else the Pod's ServiceAccount). */
  kubeconfig: z.string().min(1).optional(),
});
export type CorefileOptions = z.input<typeof corefileOptionsSchema>;

const NAMESPACE = 'kube-system';
const NAME = 'coredns';
const LABELS = { 'k8s-app': 'kube-dns' };
/**
 * CoreDNS serves on an unprivileged port and the Service maps 53 to it: the container then
 * needs no capability at all (binding 53 as non-root would need NET_BIND_SERVICE).
 */
const DNS_PORT = 1053;
const HEALTH_PORT = 8080;
const READY_PORT = 8181;
const CONFIG_DIR = '/etc/coredns';
/** Any non-root id: the image has no user database, so the id is numeric. */
const RUN_AS = 65532;

/**
 * The Corefile: the cluster domain and the reverse zones answered from the API server's
 * Services and EndpointSlices, and nothing else. No forward: the test cluster has no outside
 * resolver, so a name outside these zones is refused at once instead of timing out upstream.
 */
export function coreDnsCorefile(options: CorefileOptions): string {
  const { domain, dnsPort, bind, healthAddress, readyAddress, kubeconfig } =
    corefileOptionsSchema.parse(options);
  const zones = [domain, 'in-addr.arpa', 'ip6.arpa'];
  const lines = [
    `${zones.map((zone) => `${zone}:${dnsPort}`).join(' ')} {`,
    ...(bind ? [`    bind ${bind}`] : []),
    '    errors',
    // Only failed and refused answers: the query that did not resolve is the one worth seeing.
    '    log . {',
    '        class denial error',
    '    }',
    `    health ${healthAddress}`,
    `    ready ${readyAddress}`,
    `    kubernetes ${zones.join(' ')} {`,
    '        pods insecure',
    ...(kubeconfig ? [`        kubeconfig ${kubeconfig}`] : []),
    '    }',
    '    cache 30',
    '    loop',
    '    reload',
    '    loadbalance',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * A CoreDNS install for a test cluster, as kubeadm's but least-privileged: ServiceAccount,
 * ClusterRole (list/watch of what the kubernetes plugin reads), binding, Corefile ConfigMap,
 * a one-replica Deployment (non-root, no capabilities, read-only root filesystem) and the
 * `kube-dns` Service at the fixed `clusterIP` the kubelet hands to Pods as their resolver.
 */
export function clusterDnsObjects(options: ClusterDnsOptions): KubernetesObject[] {
  const { image, clusterIP, domain, command } = clusterDnsOptionsSchema.parse(options);
  const metadata = { name: NAME, namespace: NAMESPACE, labels: LABELS };

  const serviceAccount: V1ServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata,
  };
  // What CoreDNS 1.14's kubernetes plugin watches with `pods insecure`: Services, EndpointSlices
  // (it no longer reads v1 Endpoints) and Namespaces. Pods only with `pods verified`.
  const clusterRole: V1ClusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `system:${NAME}`, labels: LABELS },
    rules: [
      { apiGroups: [''], resources: ['services', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  };
  const clusterRoleBinding: V1ClusterRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `system:${NAME}`, labels: LABELS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `system:${NAME}` },
    subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: NAMESPACE }],
  };
  const configMap: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata,
    data: {
      Corefile: coreDnsCorefile({
        domain,
        dnsPort: DNS_PORT,
        healthAddress: `:${HEALTH_PORT}`,
        readyAddress: `:${READY_PORT}`,
      }),
    },
  };
  const deployment: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: 1,
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          serviceAccountName: NAME,
          // Its own resolver must not be itself: the node's, which it never uses anyway.
          dnsPolicy: 'Default',
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS,
            runAsGroup: RUN_AS,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: NAME,
              image,
              imagePullPolicy: 'Never',
              command,
              args: ['-conf', `${CONFIG_DIR}/Corefile`],
              ports: [
                { name: 'dns', containerPort: DNS_PORT, protocol: 'UDP' },
                { name: 'dns-tcp', containerPort: DNS_PORT, protocol: 'TCP' },
              ],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              resources: {
                requests: { cpu: '50m', memory: '32Mi' },
                limits: { memory: '128Mi' },
              },
              livenessProbe: {
                httpGet: { path: '/health', port: HEALTH_PORT },
                initialDelaySeconds: 10,
                periodSeconds: 10,
                failureThreshold: 5,
              },
              readinessProbe: {
                httpGet: { path: '/ready', port: READY_PORT },
                periodSeconds: 2,
              },
              volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: NAME } }],
        },
      },
    },
  };
  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: NAMESPACE, labels: LABELS },
    spec: {
      selector: LABELS,
      clusterIP,
      ports: [
        { name: 'dns', port: 53, targetPort: DNS_PORT, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, targetPort: DNS_PORT, protocol: 'TCP' },
      ],
    },
  };
  return [serviceAccount, clusterRole, clusterRoleBinding, configMap, deployment, service];
}
