import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../src/index.ts';

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('WorkQueue', () => {
  it('runs one reconcile per key at a time and coalesces adds made meanwhile', async () => {
    const runs: string[] = [];
    let concurrentSameKey = 0;
    let active = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const queue = new WorkQueue(
      async (key) => {
        active++;
        concurrentSameKey = Math.max(concurrentSameKey, active);
        runs.push(key);
        if (runs.length === 1) await gate;
        active--;
      },
      { workers: 4 },
    );
    queue.add('a');
    await until(() => runs.length === 1);
    queue.add('a');
    queue.add('a');
    queue.add('a');
    release();
    await until(() => runs.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toEqual(['a', 'a']);
    expect(concurrentSameKey).toBe(1);
    await queue.stop();
  });

  it('requeues failures with growing delays', async () => {
    const delays: number[] = [];
    let calls = 0;
    const queue = new WorkQueue(
      async () => {
        calls++;
        if (calls < 4) throw new Error('boom');
      },
      { workers: 1, baseDelayMs: 1, maxDelayMs: 1_000 },
      (_key, _err, retryInMs) => delays.push(retryInMs),
    );
    queue.add('k');
    await until(() => calls === 4);
    expect(delays).toEqual([1, 2, 4]);
    await queue.stop();
  });
});
