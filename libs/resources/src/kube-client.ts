import {
  createConfiguration,
  ServerConfiguration,
  type Configuration,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

/** How long a Kubernetes API request may go unanswered before it fails and its caller retries. */
export const KUBE_REQUEST_TIMEOUT_MS = 30_000;

/**
 * `kc.makeApiClient(type)` with a deadline on every request. The client sets none of its own,
 * so a request into a hung connection (an API server partitioned away, a load balancer that
 * swallows packets) would wait forever and hold up whatever awaits it: a reconcile, a Lease
 * renewal, a user's mutation.
 */
export function kubeApiClient<T>(
  kc: KubeConfig,
  type: new (configuration: Configuration) => T,
  timeoutMs: number = KUBE_REQUEST_TIMEOUT_MS,
): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return new type(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [
        {
          pre: async (request: RequestContext) => {
            request.setSignal(AbortSignal.timeout(timeoutMs));
            return request;
          },
          post: async (response: ResponseContext) => response,
        },
      ],
    }),
  );
}
