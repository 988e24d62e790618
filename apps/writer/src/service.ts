import { z } from 'zod';
import { heartbeatOf, openWorkerBus } from '@cryptoviz/bus';
import {
  booleanFlag,
  databaseEnv,
  natsEnv,
  workerIdEnv,
  type ServiceDefinition,
} from '@cryptoviz/runtime';
import { createPool, migrate } from '@cryptoviz/store';
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
  /** Run database migrations at start (safe with several writers: they take a lock). */
  WRITER_MIGRATE: booleanFlag.default(true),
  /** TimescaleDB only: drop raw ticks after this many days (0 keeps them). */
  TICKS_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(90),
  /** TimescaleDB only: compress tick chunks older than this many days (0 never). */
  TICKS_COMPRESS_AFTER_DAYS: z.coerce.number().int().min(0).max(36_500).default(7),
};

export const writerService: ServiceDefinition<typeof env> = {
  name: 'writer',
  env,
  async start({ config, log, registry }) {
    if (config.WRITER_MIGRATE) {
      const flavor = await migrate(config.DATABASE_URL, {
        log: { info: (m) => log.debug(m), warn: (m) => log.warn(m) },
        retention: {
          ticksRetentionDays: config.TICKS_RETENTION_DAYS,
          compressAfterDays: config.TICKS_COMPRESS_AFTER_DAYS,
        },
      });
      log.info({ flavor }, 'database schema up to date');
    }
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
