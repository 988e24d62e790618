// Fault suite, workers: kill -9 of each worker kind mid-replay. Complements
// apps/writer/test/crash.test.ts (one writer killed and restarted by hand, ticks only): here
// every worker runs supervised by the local backend, which must bring each back by itself, and
// forecasts are counted too.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '@cryptoviz/testkit';
import { expectExactlyOnce, reachShare } from './expectations.ts';
import { startPipeline, type Pipeline } from './pipeline.ts';

describe('kill -9 of workers mid-replay', { timeout: 240_000 }, () => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
  });

  it('the fetcher, one of two writers and the predictor each come back by themselves; nothing lost or doubled', async () => {
    pipeline = await startPipeline({ writers: 2 });
    await pipeline.start();
    const p = pipeline;
    const kills = [
      { share: 0.25, name: 'fetcher-replay-faults-0' },
      { share: 0.45, name: 'writer' },
      { share: 0.65, name: 'predictor-holt-faults-0' },
    ];
    for (const { share, name } of kills) {
      await reachShare(p, share);
      const pid = await p.kill(name);
      await eventually(
        async () => p.pidOf(name),
        (now) => now !== undefined && now !== pid,
        { timeoutMs: 30_000 },
      );
    }
    // Published once each, even a forecast stored just before its predictor was killed.
    await expectExactlyOnce(p);
    for (const { name } of kills) expect(p.restartsOf(name), name).toBe(1);
  });
});
