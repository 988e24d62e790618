import { createServer, type Server, type Socket } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeApiClient } from '../src/node/kube-client.ts';

/** An API server that accepts connections and then never says a word. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'not-a-real-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

describe('kubeApiClient', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => stop?.());

  it('fails a request the API server never answers, instead of waiting forever', async () => {
    const server = await silentServer();
    stop = server.close;
    const api = kubeApiClient(kubeConfigFor(server.url), CoreV1Api, 300);
    await expect(api.listNamespace()).rejects.toThrow(
      'the Kubernetes API did not answer GET /api/v1/namespaces within 300 ms',
    );
  }, 10_000);

  it('refuses a kubeconfig without a current cluster, saying so', () => {
    expect(() => kubeApiClient(new KubeConfig(), CoreV1Api)).toThrow('no current cluster');
  });
});
