import { Counter, Gauge, Histogram, type Registry } from '@cryptoviz/runtime';

export function httpMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'cryptoviz_gateway_requests_total',
      help: 'API requests by procedure and HTTP status',
      labelNames: ['procedure', 'status'],
      registers: [registry],
    }),
    seconds: new Histogram({
      name: 'cryptoviz_gateway_request_seconds',
      help: 'Time to answer a query or mutation (subscriptions excluded)',
      labelNames: ['procedure'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'cryptoviz_gateway_rate_limited_total',
      help: 'Requests refused by the per-client rate limit',
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: 'cryptoviz_gateway_subscriptions',
      help: 'Live subscriptions open now',
      registers: [registry],
    }),
  };
}
