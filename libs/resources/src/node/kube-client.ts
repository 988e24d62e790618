import {
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  Observable,
  ServerConfiguration,
  type Configuration,
  type HttpLibrary,
  type KubeConfig,
} from '@kubernetes/client-node';

/** How long a Kubernetes API request may go unanswered before it fails and its caller retries. */
export const KUBE_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Sends each request with a deadline, and names a missed one: the fetch library would only say
 * "The user aborted a request", which nobody reading a log could act on.
 */
function httpWithDeadline(timeoutMs: number): HttpLibrary {
  const http = new IsomorphicFetchHttpLibrary();
  return {
    send(request) {
      const deadline = AbortSignal.timeout(timeoutMs);
      request.setSignal(deadline);
      return new Observable(
        http
          .send(request)
          .toPromise()
          .catch((err: unknown) => {
            if (!deadline.aborted) throw err;
            const path = new URL(request.getUrl()).pathname;
            throw new Error(
              `the Kubernetes API did not answer ${request.getHttpMethod()} ${path} within ${timeoutMs} ms`,
            );
          }),
      );
    },
  };
}

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
      httpApi: httpWithDeadline(timeoutMs),
    }),
  );
}
