import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  HttpError,
  sendError,
  serveHttp,
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

type Middleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
) => void | Promise<unknown>;

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
    const { server, port, close } = await serveHttp({
      host: config.WEB_HOST,
      port: config.WEB_PORT,
      headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_S * 1000,
      log,
      methods: ['GET', 'HEAD', 'POST'],
      handle(req, res) {
        if (req.url?.startsWith('/trpc/')) return proxyToGateway(gateway, req, res);
        // The pages are only read (they have no form actions); mutations go to /trpc.
        if (req.method === 'POST') {
          throw new HttpError(405, 'POST is for /trpc/ only; pages are read with GET', {
            allow: 'GET, HEAD',
          });
        }
        if (req.url === '/healthz') return void res.writeHead(200).end('ok\n');
        return handler(req, res, () => sendError(res, 404, 'not found'));
      },
    });
    log.info({ port, gateway: gateway.origin }, `dashboard on http://${config.WEB_HOST}:${port}`);
    const running: RunningWeb = {
      port,
      isReady: () => server.listening,
      stop: close,
    };
    return running;
  },
};
