// The API the gateway hosts and the dashboard types itself against. A host builds the
// GatewayDeps (with a ResourceStore of its choosing) and serves `appRouter`: nothing here
// serves HTTP or knows which backend keeps the resources.
export { appRouter, type ApiInputs, type ApiOutputs, type AppRouter } from './router.ts';
export { bearerFrom, type GatewayDeps } from './context.ts';
export type { QueryLimits } from './query-limits.ts';
export {
  describeResource,
  ResourceConflictError,
  ResourceNotFoundError,
  ResourceRejectedError,
  type ResourceListing,
  type ResourceStore,
} from './resources/resource-store.ts';
export { DeclaredResources } from './resources/declared-resources.ts';
export { IngestRate, ingestSources } from './health/ingest-rate.ts';
export { SubscriptionBudget } from './live/subscription-budget.ts';
export type { PipelineHealth } from './health/pipeline-health.ts';
export { LAG_WARNING, type HealthProblem } from './health/health-problems.ts';
export type { WorkerView } from './health/worker-view.ts';
export { horizonStepsOf } from './procedures/skill-figures.ts';
export type { SourceComparison, SourceQuote } from './procedures/source-spread.ts';
export type { SignalView } from './procedures/signals.ts';
export type { ResourceView } from './procedures/resources.ts';
export type { ObservedStatus, ObservedCondition } from './resources/observed-status.ts';
