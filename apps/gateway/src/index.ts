export { apiPort, gatewayService, type RunningGateway } from './service.ts';
export { gatewayEnv, type GatewayConfig } from './config.ts';
export { appRouter, type ApiInputs, type ApiOutputs, type AppRouter } from './router.ts';
export { API_BASE_PATH } from './http/api-server.ts';
export type { PipelineHealth } from './health/pipeline-health.ts';
export type { HealthProblem } from './health/health-problems.ts';
export type { WorkerView } from './health/worker-view.ts';
export type { SourceComparison, SourceQuote } from './procedures/source-spread.ts';
export type { SignalView } from './procedures/signals.ts';
export type { ResourceView } from './procedures/resources.ts';
export type { ObservedStatus, ObservedCondition } from './resources/observed-status.ts';
export { FolderResourceStore } from './resources/folder-resource-store.ts';
export {
  KubernetesResourceStore,
  ResourceRejectedError,
} from './resources/kubernetes-resource-store.ts';
export type { ResourceStore } from './resources/resource-store.ts';
