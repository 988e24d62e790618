import { resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { GatewayConfig } from '../config.ts';
import { FolderResourceStore } from './folder-resource-store.ts';
import { KubernetesResourceStore } from './kubernetes-resource-store.ts';
import type { ResourceStore } from '@cryptoviz/api';

/** The manifests folder locally; in a cluster, the Kubernetes API (in-cluster or $KUBECONFIG). */
export function resourceStoreFor(config: GatewayConfig): ResourceStore {
  if (config.GATEWAY_RESOURCES === 'folder') {
    return new FolderResourceStore(resolve(config.GATEWAY_MANIFESTS));
  }
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return new KubernetesResourceStore(kc, config.GATEWAY_NAMESPACE);
}
