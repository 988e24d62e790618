import { createLogger, createRegistry } from '@cryptoviz/runtime';
import type { TestBus, TestDatabase } from '@cryptoviz/testkit';
import { startWriter, type Writer, type WriterOptions } from '../src/writer.ts';

/**
 * A writer on this test's streams and database, with small batches flushed often and a silent
 * log; `overrides` change any of it.
 */
export function startTestWriter(
  bus: TestBus,
  db: TestDatabase,
  overrides: Partial<WriterOptions> = {},
): Promise<Writer> {
  return startWriter({
    nc: bus.nc,
    topo: bus.topo,
    pool: db.pool,
    log: createLogger('writer-test', 'silent'),
    registry: createRegistry('writer'),
    consumerName: 'writer',
    batchRows: 500,
    batchMaxMs: 50,
    ackWaitS: 30,
    concurrency: 2,
    ...overrides,
  });
}
