import { z } from 'zod';
import { heartbeatOf, openWorkerBus } from '@cryptoviz/bus';
import { databaseEnv, natsEnv, workerIdEnv, type ServiceDefinition } from '@cryptoviz/runtime';
import { createPool, waitForSchema } from '@cryptoviz/store';
import { startWriter } from './writer.ts';

const env = {
  ...natsEnv,
  ...databaseEnv,
  ...workerIdEnv('writer'),
  WRITER_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('writer'),
  WRITER_BATCH_ROWS: z.coerce.number().int().min(1).max(50_000).default(5_000),
  WRITER_BATCH_MAX_MS: z.coerce.number().int().min(1).max(60_000).default(200),
  /** Batches written concurrently; more than the database's cores buys nothing. */
  WRITER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  WRITER_ACK_WAIT_S: z.coerce.number().int().min(1).max(3_600).default(30),
};

export const writerService: ServiceDefinition<typeof env> = {
  name: 'writer',
  env,
  async start({ config, log, registry }) {
    // The schema is `cryptoviz migrate`'s: a writer only waits for it to be current.
    const flavor = await waitForSchema(config.DATABASE_URL, { log: (m) => log.warn(m) });
    log.info({ flavor }, 'database schema is current');
    const bus = await openWorkerBus(config, log);
    const pool = createPool(config.DATABASE_URL, config.WRITER_CONCURRENCY + 1);
    const writer = await startWriter({
      nc: bus.nc,
      topo: bus.topo,
      pool,
      log,
      registry,
      consumerName: config.WRITER_CONSUMER,
      batchRows: config.WRITER_BATCH_ROWS,
      batchMaxMs: config.WRITER_BATCH_MAX_MS,
      ackWaitS: config.WRITER_ACK_WAIT_S,
      concurrency: config.WRITER_CONCURRENCY,
    });
    bus.heartbeat({ role: 'writer' }, () =>
      heartbeatOf(writer.counters(), ['stored', 'duplicate', 'deadLettered', 'batches']),
    );
    return {
      isReady: writer.isReady,
      async stop() {
        await writer.stop();
        await bus.close();
        await pool.end();
      },
    };
  },
};
