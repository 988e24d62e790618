// The workers' Pods as the controller sees them. The test control plane has no kubelet and no
// ReplicaSet controller, so the test plays both: it creates a worker's ReplicaSet and Pod as the
// Deployment's would, and writes the Pod's container statuses as a kubelet would.
import {
  PatchStrategy,
  setHeaderOptions,
  type V1ContainerStatus,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { beforeEach, describe, expect, it } from 'vitest';
import { openHeartbeats, putHeartbeat } from '@cryptoviz/bus';
import { testHeartbeat } from '@cryptoviz/testkit';
import { MIN_SECRET_FRAGMENT } from '@cryptoviz/runtime';
import {
  condition,
  deploymentsOf,
  eventually,
  finishRollout,
  readCustom,
  source,
  userApply,
  useCluster,
  type Cluster,
  useControlledNamespace,
} from './kube-fixture.ts';

/** The provider key in the Secret the source names: it must never reach a status or Event. */
const API_KEY = 'sk-live-7Qe9Zt4Lw2Xn8Rb5';

/** The worker Pod of a Deployment, owned through a ReplicaSet, as the Deployment's would be. */
async function createWorkerPod(cluster: Cluster, deployment: V1Deployment): Promise<V1Pod> {
  const namespace = deployment.metadata!.namespace!;
  const template = deployment.spec!.template;
  const labels = { ...template.metadata!.labels, 'pod-template-hash': '5d8f7c9b4' };
  const name = `${deployment.metadata!.name}-5d8f7c9b4`;
  const replicaSet = await cluster.apps.createNamespacedReplicaSet({
    namespace,
    body: {
      metadata: {
        name,
        labels,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: deployment.metadata!.name!,
            uid: deployment.metadata!.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { ...deployment.spec!.selector.matchLabels, ...labels } },
        template: { ...template, metadata: { ...template.metadata, labels } },
      },
    },
  });
  return cluster.core.createNamespacedPod({
    namespace,
    body: {
      metadata: {
        name: `${name}-x7k2p`,
        labels,
        annotations: template.metadata!.annotations,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name,
            uid: replicaSet.metadata!.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: template.spec!,
    },
  });
}

/** What a kubelet reports for the pod's one container. */
async function writeContainerStatus(
  cluster: Cluster,
  pod: V1Pod,
  phase: string,
  container: Partial<V1ContainerStatus>,
): Promise<void> {
  const spec = pod.spec!.containers[0]!;
  await cluster.core.patchNamespacedPodStatus(
    {
      name: pod.metadata!.name!,
      namespace: pod.metadata!.namespace!,
      body: {
        status: {
          phase,
          containerStatuses: [
            {
              name: spec.name,
              image: spec.image!,
              imageID: '',
              ready: false,
              restartCount: 0,
              ...container,
            },
          ],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** Every 6-character piece of the key: none may appear anywhere a user reads. */
function keyFragments(): string[] {
  const pieces: string[] = [];
  for (let i = 0; i + MIN_SECRET_FRAGMENT <= API_KEY.length; i++) {
    pieces.push(API_KEY.slice(i, i + MIN_SECRET_FRAGMENT));
  }
  return pieces;
}

// Two cores shared with an API server, etcd, NATS and PostgreSQL: allow for a slow machine.
describe('worker pods on a real kube-apiserver', { timeout: 120_000 }, () => {
  const cluster = useCluster();
  const each = useControlledNamespace(cluster);

  beforeEach(async () => {
    await cluster.core.createNamespacedSecret({
      namespace: each.namespace,
      body: { metadata: { name: 'provider-key' }, stringData: { apiKey: API_KEY } },
    });
  });

  const readSource = () => readCustom(cluster, each.namespace, 'cryptosources', 'majors');
  /** The source 'majors', its key in the Secret, and a pod of its one Deployment (no kubelet here). */
  const majorsWorkerPod = async () => {
    await userApply(
      cluster,
      source(each.namespace, 'majors', {
        provider: 'synthetic',
        symbols: ['BTC'],
        interval: '1s',
        apiKeySecretRef: { name: 'provider-key', key: 'apiKey' },
      }),
    );
    const [deployment] = await eventually(
      () => deploymentsOf(cluster, each.namespace, 'majors'),
      (list) => list.length === 1,
    );
    return createWorkerPod(cluster, deployment!);
  };
  const readyReason = (reason: string) =>
    eventually(readSource, (object) => condition(object, 'Ready')?.reason === reason);

  it('says why a worker does not run — image, crash loop, not ready — and clears once it runs', async () => {
    const pod = await majorsWorkerPod();
    const podName = pod.metadata!.name!;

    // The image cannot be pulled: the status names the pod, the image and what to do.
    await writeContainerStatus(cluster, pod, 'Pending', {
      state: {
        waiting: {
          reason: 'ImagePullBackOff',
          message: 'Back-off pulling image "cryptoviz:test"',
        },
      },
    });
    const pulling = await readyReason('ImagePullFailed');
    expect(condition(pulling, 'Ready')!.status).toBe('False');
    const pullMessage = condition(pulling, 'Ready')!.message;
    expect(pullMessage).toContain(`pod ${each.namespace}/${podName} (fetcher shard 0)`);
    expect(pullMessage).toContain('cannot pull image cryptoviz:test');
    expect(pullMessage).toContain('Back-off pulling image');
    expect(pullMessage).toContain(`kubectl describe pod -n ${each.namespace} ${podName}`);
    expect(condition(pulling, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'ImagePullFailed',
    });

    // It crash-loops, and its last words (the termination message) quote the key: the status
    // says why it stopped and how to see more, and nothing of the key.
    await writeContainerStatus(cluster, pod, 'Running', {
      restartCount: 4,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1m20s restarting' } },
      lastState: {
        terminated: {
          exitCode: 1,
          reason: 'Error',
          message: `fetcher: failed to start: key ${API_KEY} refused; NATS nats://nats:4222 CONNECTION_REFUSED\n`,
        },
      },
    });
    const crashing = await readyReason('CrashLooping');
    const crashMessage = condition(crashing, 'Ready')!.message;
    expect(crashMessage).toContain(`pod ${each.namespace}/${podName}`);
    expect(crashMessage).toContain('4 restarts, last exit code 1');
    expect(crashMessage).toContain('CONNECTION_REFUSED');
    expect(crashMessage).toContain(`kubectl logs -n ${each.namespace} ${podName} --previous`);
    const events = await cluster.core.listNamespacedEvent({ namespace: each.namespace });
    expect(events.items.some((e) => e.reason === 'CrashLooping' && e.type === 'Warning')).toBe(
      true,
    );
    const public_ = JSON.stringify([crashing!.status, events.items.map((e) => e.message)]);
    for (const piece of keyFragments()) expect(public_).not.toContain(piece);

    // It runs but has not turned ready for minutes: NATS is named.
    const longAgo = new Date(Date.now() - 5 * 60_000);
    await writeContainerStatus(cluster, pod, 'Running', {
      restartCount: 4,
      state: { running: { startedAt: longAgo } },
    });
    const unconnected = await readyReason('WorkerNotConnected');
    expect(condition(unconnected, 'Ready')!.message).toContain('NATS is unreachable');
    expect(condition(unconnected, 'Ready')!.message).toContain(
      `kubectl logs -n ${each.namespace} ${podName}`,
    );

    // Ready, rolled out and beating: the problem is gone from every condition.
    await writeContainerStatus(cluster, pod, 'Running', {
      restartCount: 4,
      ready: true,
      state: { running: { startedAt: longAgo } },
    });
    await finishRollout(cluster, each.namespace, 'majors');
    const kv = await openHeartbeats(each.bus.js, each.bus.topo);
    const beat = () =>
      putHeartbeat(
        kv,
        testHeartbeat('fetcher', {
          id: podName,
          resource: `${each.namespace}/majors`,
          startedAt: longAgo.toISOString(),
          counters: { ticksPublished: 1, consecutiveFailures: 0 },
        }),
      );
    await beat();
    const ready = await eventually(
      async () => {
        await beat();
        return readSource();
      },
      (object) => condition(object, 'Ready')?.reason === 'WorkersReady',
    );
    expect(condition(ready, 'Ready')!.status).toBe('True');
    expect(condition(ready, 'Degraded')).toMatchObject({ status: 'False', reason: 'AsExpected' });
  });

  it('names the missing Secret key a container cannot be created without', async () => {
    const pod = await majorsWorkerPod();
    await writeContainerStatus(cluster, pod, 'Pending', {
      state: {
        waiting: {
          reason: 'CreateContainerConfigError',
          message: `couldn't find key apiKey in Secret ${each.namespace}/provider-key (was ${API_KEY})`,
        },
      },
    });
    const failing = await readyReason('PodConfigError');
    const message = condition(failing, 'Ready')!.message;
    expect(message).toContain(`couldn't find key apiKey in Secret ${each.namespace}/provider-key`);
    expect(message).toContain(`kubectl describe pod -n ${each.namespace} ${pod.metadata!.name}`);
    for (const piece of keyFragments())
      expect(JSON.stringify(failing!.status)).not.toContain(piece);
  });
});
