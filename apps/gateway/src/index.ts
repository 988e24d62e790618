export { apiPort, gatewayService, type RunningGateway } from './service.ts';
export { gatewayEnv, type GatewayConfig } from './config.ts';
export { API_BASE_PATH } from './http/api-server.ts';
export { FolderResourceStore } from './resources/folder-resource-store.ts';
export { KubernetesResourceStore } from './resources/kubernetes-resource-store.ts';
