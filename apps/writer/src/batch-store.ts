import type { JsMsg } from '@nats-io/jetstream';
import type pg from 'pg';
import type { Tick } from '@cryptoviz/market';
import type { Logger } from '@cryptoviz/runtime';
import { insertTicks, isTransientDatabaseError, retryWhileDatabaseDown } from '@cryptoviz/store';
import type { WriterMetrics } from './metrics.ts';

/**
 * Inserts a batch's ticks: while the database is away it waits (and keeps the batch's messages
 * from being redelivered); rows the database refuses are found one by one and the rest kept.
 */
export class BatchStore {
  /** Batches waiting for the database to come back: the writer is unready while any is. */
  private readonly waiting = new Set<JsMsg[]>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly metrics: WriterMetrics,
  ) {}

  get waitsForDatabase(): boolean {
    return this.waiting.size > 0;
  }

  async store(
    ticks: Tick[],
    batch: JsMsg[],
  ): Promise<{ stored: number; rejected: Map<Tick, string> }> {
    const { pool, log, metrics, waiting } = this;
    const rejected = new Map<Tick, string>();
    try {
      const stored = await retryWhileDatabaseDown(
        () => insertTicks(pool, ticks),
        (error, attemptNumber) => {
          waiting.add(batch);
          metrics.databaseDown.set(1);
          // Keep JetStream from redelivering the batch to another writer while we wait.
          for (const msg of batch) msg.working();
          if (attemptNumber === 1 || attemptNumber % 10 === 0) {
            log.warn(
              { attempt: attemptNumber, err: error.message },
              'database unavailable; retrying',
            );
          }
        },
      );
      return { stored, rejected };
    } catch (err) {
      // The database refused the data itself: find the rows it refuses, keep the rest.
      log.warn(
        { err: (err as Error).message },
        'batch refused by the database; writing row by row',
      );
      let stored = 0;
      for (const tick of ticks) {
        try {
          stored += await insertTicks(pool, [tick]);
        } catch (rowErr) {
          if (isTransientDatabaseError(rowErr)) throw rowErr;
          rejected.set(tick, `database refused the tick: ${(rowErr as Error).message}`);
        }
      }
      return { stored, rejected };
    } finally {
      if (waiting.delete(batch) && waiting.size === 0) {
        log.info('database reachable again');
        metrics.databaseDown.set(0);
      }
    }
  }
}
