import { Counter, Gauge, Histogram, type Registry } from '@cryptoviz/runtime';
import type { ControllerMetrics } from './controller.ts';

export function controllerMetrics(registry: Registry): ControllerMetrics & {
  informerRestarts: Counter;
  leader: Gauge;
} {
  const reconciles = new Counter({
    name: 'cryptoviz_controller_reconciles_total',
    help: 'Reconciles by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'cryptoviz_controller_reconcile_seconds',
    help: 'Time one reconcile took',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const depth = new Gauge({
    name: 'cryptoviz_controller_queue_depth',
    help: 'Keys waiting in the work queue',
    registers: [registry],
  });
  return {
    reconciled(outcome, seconds) {
      reconciles.inc({ outcome });
      duration.observe(seconds);
    },
    queueDepth: (value) => depth.set(value),
    informerRestarts: new Counter({
      name: 'cryptoviz_controller_informer_restarts_total',
      help: 'Informer restarts after an error or a silent watch',
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'cryptoviz_controller_leader',
      help: '1 while this replica leads',
      registers: [registry],
    }),
  };
}
