import { describe, expect, it } from 'vitest';
import { openHeartbeats, putHeartbeat } from '@cryptoviz/bus';
import { startService } from '@cryptoviz/runtime';
import { createOutageProxy, testHeartbeat } from '@cryptoviz/testkit';
import { controllerService, LeaderElector } from '../src/index.ts';
import {
  condition,
  createFreezingProxy,
  createNamespace,
  createTestBus,
  deploymentsOf,
  eventually,
  finishRollout,
  GatedKubeConfig,
  kubeConfigVia,
  leaseOf,
  readCustom,
  source,
  spawnControllerProcess,
  startController,
  userApply,
  useCluster,
} from './kube-fixture.ts';

const synthetic = (symbols: string[]) => ({ provider: 'synthetic', symbols, interval: '1s' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Lease expiry and an API server restart take seconds; a loaded CI machine takes more.
describe('controller resilience on a real kube-apiserver', { timeout: 120_000 }, () => {
  const cluster = useCluster();
  it('with two controllers only the leader acts, and the other takes over when it dies', async () => {
    const bus = await createTestBus();
    const namespace = await createNamespace(cluster);
    const holder = () => leaseOf(cluster, namespace);
    // The first controller is a real `cryptoviz controller` process, so it can really die.
    const first = spawnControllerProcess(cluster, namespace, bus, 'first');
    const firstExited = new Promise((resolve) => first.once('exit', resolve));
    let second: Awaited<ReturnType<typeof startController>> | undefined;
    try {
      await eventually(holder, (spec) => spec?.holderIdentity === 'first', { timeoutMs: 60_000 });
      second = await startController(cluster, namespace, bus, { identity: 'second' });
      await userApply(cluster, source(namespace, 'led', synthetic(['BTC'])));
      await eventually(
        () => deploymentsOf(cluster, namespace, 'led'),
        (list) => list.length === 1,
      );
      expect(second.running.elector.isLeader).toBe(false);
      expect(second.running.controller.running).toBe(false);

      first.kill('SIGKILL'); // a crash: the lease is not released, it must expire
      await firstExited;
      await eventually(async () => second!.running.elector.isLeader, Boolean, {
        timeoutMs: 15_000,
      });
      expect(await holder()).toMatchObject({ holderIdentity: 'second', leaseTransitions: 1 });

      await userApply(cluster, source(namespace, 'after-failover', synthetic(['ETH'])));
      await eventually(
        () => deploymentsOf(cluster, namespace, 'after-failover'),
        (list) => list.length === 1,
      );
    } finally {
      first.kill('SIGKILL');
      await second?.stop();
      await bus.drop();
    }
  });

  it('keeps watching across watchdog restarts of quiet informers', async () => {
    const bus = await createTestBus();
    const namespace = await createNamespace(cluster);
    const restarts: string[] = [];
    const controller = await startController(cluster, namespace, bus, {
      staleAfterMs: 500,
      log: (line) => {
        if (line.includes('no activity')) restarts.push(line);
      },
    });
    try {
      await eventually(async () => controller.running.elector.isLeader, Boolean);
      await eventually(
        async () => restarts.length,
        (n) => n >= 8,
        { timeoutMs: 30_000 },
      );
      await userApply(cluster, source(namespace, 'quiet', synthetic(['BTC'])));
      await eventually(
        () => deploymentsOf(cluster, namespace, 'quiet'),
        (l) => l.length === 1,
      );
    } finally {
      await controller.stop();
      await bus.drop();
    }
  });

  it('recovers when the API server restarts mid-run, and converges on what changed meanwhile', async () => {
    const bus = await createTestBus();
    const namespace = await createNamespace(cluster);
    const controller = await startController(cluster, namespace, bus);
    try {
      await eventually(async () => controller.running.elector.isLeader, Boolean);
      await userApply(cluster, source(namespace, 'before', synthetic(['BTC'])));
      await eventually(
        () => deploymentsOf(cluster, namespace, 'before'),
        (l) => l.length === 1,
      );

      await cluster.plane.restartApiServer('SIGKILL');
      // Written right after the restart: the controller's watches are still reconnecting.
      await userApply(cluster, source(namespace, 'during', synthetic(['ETH', 'SOL'])));
      await userApply(
        cluster,
        source(namespace, 'before', { ...synthetic(['BTC', 'ETH']), maxSymbolsPerWorker: 1 }),
      );

      await eventually(
        () => deploymentsOf(cluster, namespace, 'during'),
        (l) => l.length === 1,
        {
          timeoutMs: 60_000,
        },
      );
      await eventually(
        () => deploymentsOf(cluster, namespace, 'before'),
        (l) => l.length === 2,
        {
          timeoutMs: 60_000,
        },
      );
      const status = await eventually(
        () => readCustom(cluster, namespace, 'cryptosources', 'before'),
        (o) =>
          o?.status?.observedGeneration === o?.metadata.generation && o?.status?.replicas === 2,
        { timeoutMs: 30_000 },
      );
      expect(status!.status!.replicas).toBe(2);
    } finally {
      await controller.stop();
      await bus.drop();
    }
  });

  it('on shutdown, finishes the reconciles in flight before it releases the Lease', async () => {
    const bus = await createTestBus();
    const namespace = await createNamespace(cluster);
    const kc = new GatedKubeConfig();
    kc.loadFromFile(cluster.plane.kubeconfigPath);
    const controller = await startController(cluster, namespace, bus, { kc, identity: 'ctl' });
    try {
      await eventually(async () => controller.running.elector.isLeader, Boolean);
      kc.holdWhen = (method, url) => method === 'PATCH' && url.includes('/deployments/');
      await userApply(cluster, source(namespace, 'slow', synthetic(['BTC'])));
      await eventually(
        async () => kc.heldCount,
        (n) => n > 0,
      );

      let stopped = false;
      const stopping = controller.stop().then(() => (stopped = true));
      await sleep(1_500);
      // Still reconciling: the Lease must keep a successor from acting on the same resource.
      expect(stopped).toBe(false);
      expect((await leaseOf(cluster, namespace))?.holderIdentity).toBe('ctl');

      kc.release();
      await stopping;
      expect(await deploymentsOf(cluster, namespace, 'slow')).toHaveLength(1);
      expect((await leaseOf(cluster, namespace))?.holderIdentity).toBeFalsy();
    } finally {
      kc.release();
      await controller.stop();
      await bus.drop();
    }
  });

  it('releases the Lease anyway once a hung reconcile outlasts the shutdown timeout', async () => {
    const bus = await createTestBus();
    const namespace = await createNamespace(cluster);
    const kc = new GatedKubeConfig();
    kc.loadFromFile(cluster.plane.kubeconfigPath);
    const controller = await startController(cluster, namespace, bus, {
      kc,
      shutdownTimeoutMs: 1_000,
    });
    try {
      await eventually(async () => controller.running.elector.isLeader, Boolean);
      kc.holdWhen = (method, url) => method === 'PATCH' && url.includes('/deployments/');
      await userApply(cluster, source(namespace, 'hung', synthetic(['BTC'])));
      await eventually(
        async () => kc.heldCount,
        (n) => n > 0,
      );
      const started = Date.now();
      await controller.stop();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await leaseOf(cluster, namespace))?.holderIdentity).toBeFalsy();
    } finally {
      kc.release();
      await controller.stop();
      await bus.drop();
    }
  });

  it('a leader whose Lease requests hang stops leading before the Lease expires', async () => {
    const namespace = await createNamespace(cluster);
    const server = new URL(cluster.plane.server);
    const proxy = await createFreezingProxy(server.hostname, Number(server.port));
    const leaseDurationMs = 4_000;
    const stepDowns: number[] = [];
    const elector = new LeaderElector(kubeConfigVia(cluster, proxy.port), {
      namespace,
      name: 'cryptoviz-controller',
      identity: 'hung',
      leaseDurationMs,
      retryMs: 300,
      onStartedLeading: () => undefined,
      onStoppedLeading: () => stepDowns.push(Date.now()),
    });
    try {
      elector.start();
      await eventually(async () => elector.isLeader, Boolean);
      proxy.freeze();
      // Read past the proxy: the last renewal that landed, whether or not its answer got back.
      const lastRenewal = new Date((await leaseOf(cluster, namespace))!.renewTime!).getTime();
      await eventually(
        async () => stepDowns.length,
        (n) => n > 0,
        { timeoutMs: 10_000 },
      );
      // Others may take over once the Lease expires: this replica must have stopped by then.
      expect(stepDowns[0]!).toBeLessThan(lastRenewal + leaseDurationMs);

      // Requests that hung were given up on, so the rounds went on and win the Lease back.
      proxy.thaw();
      await eventually(async () => elector.isLeader, Boolean, { timeoutMs: 10_000 });
    } finally {
      await elector.stop();
      await proxy.close();
    }
  });

  it('keeps trying to reach NATS when it is down at startup, and uses it once it answers', async () => {
    const bus = await createTestBus();
    const namespace = await createNamespace(cluster);
    const nats = new URL(bus.url);
    const proxy = await createOutageProxy(nats.hostname, Number(nats.port));
    proxy.cut();
    const service = await startService(controllerService, {
      KUBECONFIG: cluster.plane.kubeconfigPath,
      WATCH_NAMESPACE: namespace,
      NATS_URL: `nats://127.0.0.1:${proxy.port}`,
      CRYPTOVIZ_NAMESPACE: bus.topo.namespace,
      CONTROLLER_ID: 'late-nats',
      CONTROLLER_RESYNC_S: '1',
      LEASE_DURATION_S: '4',
      LEASE_RETRY_S: '0.5',
      HTTP_PORT: '0',
      LOG_LEVEL: 'error',
    });
    try {
      await userApply(cluster, source(namespace, 'late', synthetic(['BTC'])));
      await eventually(
        () => deploymentsOf(cluster, namespace, 'late'),
        (list) => list.length === 1,
      );
      // Rolled out: from here on only the heartbeats keep it from being Ready.
      await finishRollout(cluster, namespace, 'late');
      await eventually(
        () => readCustom(cluster, namespace, 'cryptosources', 'late'),
        (object) => condition(object, 'Ready')?.reason === 'HeartbeatsUnavailable',
      );

      proxy.restore();
      await putHeartbeat(
        await openHeartbeats(bus.js, bus.topo),
        testHeartbeat('fetcher', {
          id: 'fetcher-late-0-abc',
          resource: `${namespace}/late`,
          counters: { ticksPublished: 1, consecutiveFailures: 0 },
        }),
      );
      await eventually(
        () => readCustom(cluster, namespace, 'cryptosources', 'late'),
        (object) => condition(object, 'Ready')?.status === 'True',
        { timeoutMs: 30_000 },
      );
    } finally {
      await service.stop();
      await proxy.close();
      await bus.drop();
    }
  });
});
