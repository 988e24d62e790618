import { Resolver } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  type V1ConfigMap,
  type V1Deployment,
  type V1Service,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { eventually } from '@cryptoviz/testkit';
import { spawnWatched, type WatchedProcess } from '@cryptoviz/testkit/process';
import { freePort } from '@cryptoviz/workloads';
import { ensureCoreDns, startControlPlane, type ControlPlane } from '../src/index.ts';
import { clusterDnsObjects, coreDnsCorefile } from '../src/node/cluster-dns.ts';

/** The first run builds kube-apiserver, etcd and CoreDNS from the Go module proxy. */
const BUILD_TIMEOUT_MS = 60 * 60_000;
const DNS_SERVICE_IP = '10.0.0.10';

const objects = clusterDnsObjects({ image: 'cryptoviz/coredns:test', clusterIP: DNS_SERVICE_IP });
const byKind = <T>(kind: string) => objects.find((object) => object.kind === kind) as T;

describe('clusterDnsObjects', () => {
  it('names the field of a bad option', () => {
    expect(() => clusterDnsObjects({ image: 'x', clusterIP: '10.0.0.300' })).toThrow(/clusterIP/);
    expect(() => clusterDnsObjects({ image: '', clusterIP: DNS_SERVICE_IP })).toThrow(/image/);
    expect(() =>
      clusterDnsObjects({ image: 'x', clusterIP: DNS_SERVICE_IP, domain: 'Cluster..local' }),
    ).toThrow(/domain/);
  });

  it('serves port 53 of the fixed address from an unprivileged container', () => {
    const service = byKind<V1Service>('Service');
    expect(service.metadata).toMatchObject({ name: 'kube-dns', namespace: 'kube-system' });
    expect(service.spec?.clusterIP).toBe(DNS_SERVICE_IP);
    expect(service.spec?.ports?.map((port) => `${port.port}/${port.protocol}`)).toEqual([
      '53/UDP',
      '53/TCP',
    ]);
    const pod = byKind<V1Deployment>('Deployment').spec!.template.spec!;
    const container = pod.containers[0]!;
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.securityContext?.capabilities?.add).toBeUndefined();
    expect(container.imagePullPolicy).toBe('Never');
    // Every Service port leads to a port the container listens on.
    const containerPorts = container.ports!.map((port) => `${port.containerPort}/${port.protocol}`);
    for (const port of service.spec!.ports!) {
      expect(containerPorts).toContain(`${port.targetPort}/${port.protocol}`);
    }
  });

  it('has no forward: nothing leaves the cluster', () => {
    const corefile = byKind<V1ConfigMap>('ConfigMap').data!.Corefile!;
    expect(corefile).not.toMatch(/forward|proxy/);
    expect(corefile).toContain('kubernetes cluster.local in-addr.arpa ip6.arpa');
  });
});

describe('CoreDNS against a real API server, as its ServiceAccount', () => {
  let plane: ControlPlane;
  let coredns: WatchedProcess | undefined;
  let workDir: string;
  let dnsPort: number;
  let readyPort: number;
  let healthPort: number;
  let core: CoreV1Api;
  let serviceAccountConfig: KubeConfig;
  const namespace = `dns-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    const log = (line: string) => process.stderr.write(`[cluster-dns] ${line}\n`);
    const [coreDnsBinary, started] = await Promise.all([
      ensureCoreDns(log),
      startControlPlane({ crdFiles: [], log }),
    ]);
    plane = started;
    workDir = mkdtempSync(join(tmpdir(), 'cryptoviz-coredns-'));
    const admin = plane.kubeConfig();
    core = admin.makeApiClient(CoreV1Api);
    // The install as a cluster would get it; the API server validates every object.
    const client = admin.makeApiClient(KubernetesObjectApi);
    for (const object of objects) await client.create(object);

    // CoreDNS runs with the ServiceAccount's token: what it can see is what the ClusterRole grants.
    const { token } = (
      await core.createNamespacedServiceAccountToken({
        name: 'coredns',
        namespace: 'kube-system',
        body: { spec: { audiences: [], expirationSeconds: 3600 } },
      })
    ).status!;
    const kubeconfig = parse(readFileSync(plane.kubeconfigPath, 'utf8'));
    kubeconfig.users = [{ name: kubeconfig.users[0].name, user: { token } }];
    const kubeconfigPath = join(workDir, 'kubeconfig');
    writeFileSync(kubeconfigPath, stringify(kubeconfig));
    serviceAccountConfig = new KubeConfig();
    serviceAccountConfig.loadFromFile(kubeconfigPath);

    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedService({ namespace, body: service('listed-before') });

    [dnsPort, readyPort, healthPort] = [await freePort(), await freePort(), await freePort()];
    const corefilePath = join(workDir, 'Corefile');
    writeFileSync(
      corefilePath,
      coreDnsCorefile({
        dnsPort,
        bind: '127.0.0.1',
        healthAddress: `127.0.0.1:${healthPort}`,
        readyAddress: `127.0.0.1:${readyPort}`,
        kubeconfig: kubeconfigPath,
      }),
    );
    coredns = spawnWatched(coreDnsBinary, ['-conf', corefilePath], { cwd: workDir });
    // Ready once the kubernetes plugin has listed what it watches: proof the role suffices.
    await eventually(
      () => httpStatus(`http://127.0.0.1:${readyPort}/ready`, coredns!),
      (status) => status === 200,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    if (coredns && coredns.child.exitCode === null) {
      coredns.child.kill('SIGTERM');
      await coredns.exited;
    }
    await plane?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  function service(name: string): V1Service {
    return {
      metadata: { name },
      spec: { ports: [{ port: 4222, name: 'client' }], selector: { app: name } },
    };
  }

  function resolver(): Resolver {
    const dns = new Resolver({ timeout: 2_000, tries: 2 });
    dns.setServers([`127.0.0.1:${dnsPort}`]);
    return dns;
  }

  /** The addresses, or the error code the resolver gave instead (ENOTFOUND is NXDOMAIN). */
  async function lookup(name: string): Promise<string[] | string> {
    try {
      return await resolver().resolve4(name);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code ?? String(err);
    }
  }

  async function clusterIP(name: string): Promise<string> {
    const read = await core.readNamespacedService({ name, namespace });
    return read.spec!.clusterIP!;
  }

  it('answers a Service name with its ClusterIP', async () => {
    const ip = await clusterIP('listed-before');
    expect(await lookup(`listed-before.${namespace}.svc.cluster.local`)).toEqual([ip]);
  });

  it('learns a Service created while it runs', async () => {
    await core.createNamespacedService({ namespace, body: service('watched-later') });
    const ip = await clusterIP('watched-later');
    await eventually(
      () => lookup(`watched-later.${namespace}.svc.cluster.local`),
      (answer) => Array.isArray(answer) && answer[0] === ip,
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  it('answers the reverse lookup of a ClusterIP with the Service name', async () => {
    const ip = await clusterIP('listed-before');
    expect(await resolver().reverse(ip)).toEqual([`listed-before.${namespace}.svc.cluster.local`]);
  });

  it('says NXDOMAIN for an unknown name in the cluster domain', async () => {
    expect(await lookup(`missing.${namespace}.svc.cluster.local`)).toBe('ENOTFOUND');
    expect(await lookup(`listed-before.no-such-namespace.svc.cluster.local`)).toBe('ENOTFOUND');
  });

  it('refuses names outside the cluster instead of forwarding them', async () => {
    expect(await lookup('example.com')).toBe('EREFUSED');
  });

  it('reports healthy on the liveness endpoint', async () => {
    expect(await httpStatus(`http://127.0.0.1:${healthPort}/health`, coredns!)).toBe(200);
  });

  it('its ServiceAccount reads no Secrets and no Pods', async () => {
    const asCoreDns = serviceAccountConfig.makeApiClient(CoreV1Api);
    await expect(asCoreDns.listSecretForAllNamespaces()).rejects.toMatchObject({ code: 403 });
    await expect(asCoreDns.listPodForAllNamespaces()).rejects.toMatchObject({ code: 403 });
    await expect(asCoreDns.listServiceForAllNamespaces()).resolves.toBeDefined();
  });
});

/** The HTTP status, or 0 while nothing answers; fails at once if CoreDNS has exited. */
async function httpStatus(url: string, coredns: WatchedProcess): Promise<number> {
  if (coredns.child.exitCode !== null) {
    throw new Error(`coredns exited (${coredns.child.exitCode}):\n${coredns.output()}`);
  }
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status;
  } catch {
    return 0;
  }
}
