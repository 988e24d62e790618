import { Counter, Gauge, Histogram, type Registry } from '@cryptoviz/runtime';

export function writerMetrics(registry: Registry) {
  return {
    ticks: new Counter({
      name: 'cryptoviz_writer_ticks_total',
      help: 'Ticks handled, by outcome (stored, duplicate, dead_lettered)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    batches: new Counter({
      name: 'cryptoviz_writer_batches_total',
      help: 'Batches committed',
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'cryptoviz_writer_batch_seconds',
      help: 'Time to commit one batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'cryptoviz_writer_commit_latency_seconds',
      help: 'From the oldest tick of a batch entering JetStream to the batch commit',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    databaseDown: new Gauge({
      name: 'cryptoviz_writer_database_retrying',
      help: '1 while the writer is waiting for the database to come back',
      registers: [registry],
    }),
  };
}

export type WriterMetrics = ReturnType<typeof writerMetrics>;
