import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface ProbeServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Alive: the event loop answers. Ready: dependencies are connected and work can flow. */
  isReady: () => boolean;
}

export type ProbeServer = Listening;

/** Serves `/metrics`, `/healthz` and `/readyz` for Prometheus and Kubernetes probes. */
export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ready = options.isReady();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ready ? 'ready\n' : 'not ready\n');
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(body),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  return listenOn(server, options.port, options.host);
}

export interface Listening {
  server: Server;
  /** The port bound (the one asked for, or the free one picked for port 0). */
  port: number;
  /** Closes the server and every open connection (keep-alive, streams). */
  close(): Promise<void>;
}

/** Starts an HTTP server listening, failing (EADDRINUSE, …) instead of hanging. */
export async function listenOn(server: Server, port: number, host: string): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
