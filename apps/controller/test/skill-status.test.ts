import { describe, expect, it } from 'vitest';
import { openHeartbeats, putHeartbeat, type HeartbeatReport } from '@cryptoviz/bus';
import { NO_SCORES } from '@cryptoviz/forecast';
import { testHeartbeat } from '@cryptoviz/testkit';
import {
  eventually,
  model,
  readCustom,
  userApply,
  useCluster,
  useControlledNamespace,
} from './kube-fixture.ts';

// Two cores shared with an API server, etcd, NATS and PostgreSQL: allow for a slow machine.
describe('skill verdict in the PredictionModel status', { timeout: 120_000 }, () => {
  const cluster = useCluster();
  const each = useControlledNamespace(cluster);

  it('is set from the predictors’ heartbeats: the weakest verdict and its p-value', async () => {
    await userApply(
      cluster,
      model(each.namespace, 'tested', { algorithm: 'naive', symbols: ['BTC', 'ETH'] }),
    );
    const kv = await openHeartbeats(each.bus.js, each.bus.topo);
    // What a predictor's status becomes in its heartbeat (apps/predictor/src/service.ts).
    const beat = (
      id: string,
      skillVerdict: HeartbeatReport<'predictor'>['details']['skillVerdict'],
      skillPValue: number | null,
    ) =>
      putHeartbeat(
        kv,
        testHeartbeat('predictor', {
          id,
          resource: `${each.namespace}/tested`,
          counters: { predictionsPublished: 10 },
          details: {
            accuracy: 0.6,
            skill: 0.05,
            scores: { ...NO_SCORES, n: 10, mae: 0.95, naiveMae: 1, skill: 0.05 },
            skillVerdict,
            skillPValue,
          },
        }),
      );
    const read = async () =>
      (await readCustom(cluster, each.namespace, 'predictionmodels', 'tested'))?.status as
        Record<string, unknown> | undefined;

    await beat('predictor-tested-0-a', 'beats-naive', 0.004);
    const one = await eventually(read, (status) => status?.skillVerdict !== undefined);
    expect(one).toMatchObject({
      skill: 0.05,
      skillVerdict: 'beats-naive',
      skillPValue: 0.004,
    });

    // A second worker whose series show no detectable difference: the model as a whole
    // cannot be said to beat naive.
    await beat('predictor-tested-1-b', 'no-detectable-difference', 0.31);
    const two = await eventually(
      read,
      (status) => status?.skillVerdict === 'no-detectable-difference',
    );
    expect(two).toMatchObject({ skillPValue: 0.31 });
  });
});
