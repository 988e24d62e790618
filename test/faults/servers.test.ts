// Fault suite, servers: nats-server and PostgreSQL crashed (SIGKILL) mid-replay and started
// again on the same store, port and data. Complements the outage proxies of
// apps/fetcher/test/fetcher.test.ts and apps/writer/test/writer.test.ts (connections cut,
// servers untouched): here the servers themselves die, and every worker must ride it out.
import { afterEach, describe, expect, it } from 'vitest';
import { expectExactlyOnce, reachShare } from './expectations.ts';
import { startPipeline, type Pipeline } from './pipeline.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('servers crashed mid-replay', { timeout: 240_000 }, () => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
  });

  it.each([
    ['nats-server', 'workers reconnect by themselves', (p: Pipeline) => p.nats],
    ['PostgreSQL', 'writers and predictor hold and retry', (p: Pipeline) => p.postgres],
  ] as const)(
    '%s killed and back after 5 s: %s; nothing lost or doubled',
    async (_, __, server) => {
      pipeline = await startPipeline();
      await pipeline.start();
      const pids = () => pipeline!.workloads.map((w) => pipeline!.pidOf(w.name));
      const before = pids();
      await reachShare(pipeline, 0.3);
      await server(pipeline).crash();
      await sleep(5_000);
      await server(pipeline).start();
      await expectExactlyOnce(pipeline);
      // Rode it out: no worker had to be restarted.
      expect(pids()).toEqual(before);
    },
  );
});
