import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  listenOn,
  type Running,
  type ServiceDefinition,
  type StartedService,
} from '@cryptoviz/runtime';
import { DEFAULT_BUILD_DIR } from './build.ts';
import { proxyToGateway } from './gateway-proxy.ts';

const env = {
  WEB_PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  WEB_HOST: z.string().default('0.0.0.0'),
  /** The gateway the dashboard's /trpc requests are forwarded to. */
  GATEWAY_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
  WEB_BUILD_DIR: z.string().min(1).default(DEFAULT_BUILD_DIR),
};

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface RunningWeb extends Running {
  port: number;
}

export function webPort(service: StartedService): number {
  return (service.running as RunningWeb).port;
}

/**
 * The dashboard in production: SvelteKit's adapter-node handler for the app, and /trpc
 * forwarded to the gateway, so the browser needs one origin and no CORS.
 */
export const webService: ServiceDefinition<typeof env> = {
  name: 'web',
  env,
  async start({ config, log }) {
    const buildDir = resolve(config.WEB_BUILD_DIR);
    const handlerUrl = pathToFileURL(join(buildDir, 'handler.js')).href;
    const { handler } = (await import(handlerUrl).catch((err: Error) => {
      throw new Error(
        `no dashboard build in ${buildDir} (run: npm run build -w @cryptoviz/web): ${err.message}`,
      );
    })) as { handler: Middleware };
    const gateway = new URL(config.GATEWAY_URL);
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/trpc/')) return proxyToGateway(gateway, req, res);
      if (req.url === '/healthz') return void res.writeHead(200).end('ok\n');
      handler(req, res, () => res.writeHead(404).end('not found\n'));
    });
    server.requestTimeout = 0;
    const { port, close } = await listenOn(server, config.WEB_PORT, config.WEB_HOST);
    log.info({ port, gateway: gateway.origin }, `dashboard on http://${config.WEB_HOST}:${port}`);
    const running: RunningWeb = {
      port,
      isReady: () => server.listening,
      stop: close,
    };
    return running;
  },
};
