import type { Registry } from 'prom-client';
import { HttpError, serveHttp, type Listening } from './http-server.ts';
import type { Logger } from './logger.ts';

export interface ProbeServerOptions {
  host: string;
  port: number;
  headersTimeoutMs: number;
  registry: Registry;
  log: Logger;
  /** Alive: the event loop answers. Ready: dependencies are connected and work can flow. */
  isReady: () => boolean;
}

export type ProbeServer = Listening;

/** Serves `/metrics`, `/healthz` and `/readyz` for Prometheus and Kubernetes probes. */
export function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  return serveHttp({
    host: options.host,
    port: options.port,
    headersTimeoutMs: options.headersTimeoutMs,
    log: options.log,
    methods: ['GET', 'HEAD'],
    async handle(req, res) {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        const ready = options.isReady();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(ready ? 'ready\n' : 'not ready\n');
      } else if (path === '/metrics') {
        const body = await options.registry.metrics();
        res.writeHead(200, { 'content-type': options.registry.contentType }).end(body);
      } else {
        throw new HttpError(404, 'not found; this server answers /healthz, /readyz and /metrics');
      }
    },
  });
}
