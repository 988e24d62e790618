import { Counter, Gauge, Histogram, type Registry } from '@cryptoviz/runtime';

export function fetcherMetrics(registry: Registry) {
  return {
    ticks: new Counter({
      name: 'cryptoviz_fetcher_ticks_total',
      help: 'Ticks handled by outcome (published, duplicate, skipped, dropped)',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'cryptoviz_fetcher_poll_errors_total',
      help: 'Failed polls and backfills by error kind',
      labelNames: ['source', 'kind'],
      registers: [registry],
    }),
    pollSeconds: new Histogram({
      name: 'cryptoviz_fetcher_poll_seconds',
      help: 'Time for one poll cycle: provider call and publish',
      labelNames: ['source'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    ignoredFields: new Counter({
      name: 'cryptoviz_fetcher_ignored_fields_total',
      help: 'Optional provider fields ignored for an unexpected type or value; the ticks were kept',
      labelNames: ['source', 'provider', 'field'],
      registers: [registry],
    }),
    lastSuccess: new Gauge({
      name: 'cryptoviz_fetcher_last_success_timestamp_seconds',
      help: 'When the last poll succeeded',
      labelNames: ['source'],
      registers: [registry],
    }),
  };
}

export type FetcherMetrics = ReturnType<typeof fetcherMetrics>;
