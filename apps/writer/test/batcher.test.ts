import { describe, expect, it } from 'vitest';
import { Batcher, type BatcherOptions } from '../src/batcher.ts';

/** A batcher of numbers, each one row, that never writes by age unless told. */
const batcherOf = (options: Partial<BatcherOptions<number>>) =>
  new Batcher<number>({
    batchRows: 1,
    batchMaxMs: 60_000,
    concurrency: 1,
    rowsOf: () => 1,
    write: async () => undefined,
    onFailed: () => undefined,
    ...options,
  });

/** A write that finishes when the test says so. */
function heldWrites() {
  const batches: number[][] = [];
  const finish: (() => void)[] = [];
  const write = (batch: number[]) => {
    batches.push(batch);
    return new Promise<void>((resolve) => finish.push(resolve));
  };
  return { batches, finish, write };
}

describe('Batcher', () => {
  it('writes a batch once it holds batchRows rows, counting each item as at least one', async () => {
    const { batches, finish, write } = heldWrites();
    const batcher = batcherOf({ batchRows: 5, concurrency: 2, rowsOf: (rows) => rows, write });
    await batcher.add(0);
    await batcher.add(3);
    expect(batches).toEqual([]);
    await batcher.add(1);
    expect(batches).toEqual([[0, 3, 1]]);
    finish.forEach((done) => done());
    await batcher.drained();
  });

  it('writes what waited batchMaxMs even when the batch is small', async () => {
    const written: number[][] = [];
    const batcher = batcherOf({
      batchRows: 1_000,
      batchMaxMs: 5,
      write: async (batch) => void written.push(batch),
    });
    await batcher.add(7);
    await expect.poll(() => written).toEqual([[7]]);
    await batcher.drained();
  });

  it('waits for a free slot when every one is busy', async () => {
    const { batches, finish, write } = heldWrites();
    const batcher = batcherOf({ concurrency: 2, write });
    await batcher.add(1);
    let third = false;
    const adding = batcher.add(2).then(() => (third = true));
    await expect.poll(() => batches.length).toBe(2);
    expect(third).toBe(false);
    finish[0]!();
    await adding;
    expect(third).toBe(true);
    finish[1]!();
    await batcher.drained();
  });

  it('hands a failed write to onFailed and frees its slot', async () => {
    const failures: string[] = [];
    const batcher = batcherOf({
      write: () => Promise.reject(new Error('database refused')),
      onFailed: (err) => failures.push(err.message),
    });
    await batcher.add(1);
    await batcher.add(2);
    await batcher.drained();
    expect(failures).toEqual(['database refused', 'database refused']);
  });
});
