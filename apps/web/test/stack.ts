import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, expect } from 'vitest';
import type { ZodRawShape } from 'zod';
import { apiPort, gatewayService } from '@cryptoviz/gateway';
import { startService, type ServiceDefinition, type StartedService } from '@cryptoviz/runtime';
import {
  createTestBus,
  createTestDatabase,
  type TestBus,
  type TestDatabase,
} from '@cryptoviz/testkit';
import { DEFAULT_BUILD_DIR } from '../src/server/build.ts';
import { webPort, webService } from '../src/server/web-service.ts';

/**
 * What the dashboard's browser tests run against: a database and a bus namespace of their own
 * on the run's real PostgreSQL and NATS, the pipeline's services started in this process, and
 * one or more dashboards (a gateway with the web server in front of it).
 */

export const ARTIFACTS = fileURLToPath(
  new URL('../../../test-results/dashboard/', import.meta.url),
);
export const TOKEN = 'e2e-token-0123456789abcdef';

type Env = Record<string, string>;

export interface Backend {
  db: TestDatabase;
  bus: TestBus;
  /** The folder of manifests the gateway serves (and the workers read theirs from). */
  manifests: string;
  /** What every service of this backend is started with: its bus, database, quiet logs. */
  env: Readonly<Env>;
  /** Starts a service with the shared environment plus `env`; stopped with the backend. */
  run<S extends ZodRawShape>(definition: ServiceDefinition<S>, env?: Env): Promise<StartedService>;
  stop(): Promise<void>;
}

/** A fresh database and bus namespace, with `manifests` (file name → YAML) in a folder. */
export async function startBackend(manifests: Record<string, string> = {}): Promise<Backend> {
  const db = await createTestDatabase();
  const bus = await createTestBus();
  const folder = mkdtempSync(join(tmpdir(), 'cryptoviz-e2e-manifests-'));
  for (const [file, text] of Object.entries(manifests)) writeFileSync(join(folder, file), text);
  const common: Env = {
    NATS_URL: bus.url,
    CRYPTOVIZ_NAMESPACE: bus.topo.namespace,
    DATABASE_URL: db.url,
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  };
  const services: StartedService[] = [];
  return {
    db,
    bus,
    manifests: folder,
    env: common,
    async run(definition, env = {}) {
      const service = await startService(definition, { ...common, ...env });
      services.push(service);
      return service;
    },
    async stop() {
      for (const service of services.reverse()) await service.stop();
      await bus.drop();
      await db.drop();
    },
  };
}

export interface Dashboard {
  /** The web server's origin, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Stops the gateway only: the web server stays up and answers /trpc with 502. */
  stopGateway(): Promise<void>;
  /** Starts the gateway again on the port it had, so the web server reaches it again. */
  startGateway(): Promise<void>;
  stop(): Promise<void>;
}

/** A gateway on `backend`, the web server in front, each with its settings overridden. */
export async function startDashboard(
  backend: Backend,
  gatewayEnv: Env = {},
  webEnv: Env = {},
): Promise<Dashboard> {
  const startGateway = (port: number) =>
    startService(gatewayService, {
      ...backend.env,
      GATEWAY_PORT: String(port),
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_TOKEN: TOKEN,
      GATEWAY_MANIFESTS: backend.manifests,
      // Every browser request arrives through the web server's proxy, from one address.
      GATEWAY_TRUST_PROXY: 'true',
      ...gatewayEnv,
    });
  let gateway: StartedService | null = await startGateway(0);
  const port = apiPort(gateway);
  const web = await startService(webService, {
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    WEB_PORT: '0',
    WEB_HOST: '127.0.0.1',
    // The build the test run's global setup made of the current sources.
    WEB_BUILD_DIR: DEFAULT_BUILD_DIR,
    GATEWAY_URL: `http://127.0.0.1:${port}`,
    ...webEnv,
  });
  return {
    url: `http://127.0.0.1:${webPort(web)}`,
    async stopGateway() {
      await gateway?.stop();
      gateway = null;
    },
    async startGateway() {
      if (!gateway) gateway = await startGateway(port);
    },
    async stop() {
      await web.stop();
      await gateway?.stop();
    },
  };
}

/** A new tab on `url` with a 20 s default timeout (the two-core machine is busy). */
export async function openPage(
  browser: BrowserContext,
  url: string,
  options: {
    viewport?: { width: number; height: number };
    colorScheme?: 'light' | 'dark';
    /** Told of every uncaught error in the page, from its first script on. */
    onPageError?: (err: Error) => void;
  } = {},
): Promise<Page> {
  const page = await browser.newPage();
  if (options.onPageError) page.on('pageerror', options.onPageError);
  await page.setViewportSize(options.viewport ?? { width: 1280, height: 900 });
  if (options.colorScheme) await page.emulateMedia({ colorScheme: options.colorScheme });
  page.setDefaultTimeout(20_000);
  await page.goto(url);
  return page;
}

type PageOptions = Parameters<typeof openPage>[2];

/**
 * A browser test file's backend, dashboard and browser, filled in by its beforeAll. Pages opened
 * with `open` record their uncaught errors in `pageErrors`.
 */
export class BrowserStack {
  backend!: Backend;
  dashboard!: Dashboard;
  browser!: BrowserContext;
  readonly pageErrors: string[] = [];
  readonly onPageError = (err: Error): void => {
    this.pageErrors.push(err.message);
  };

  /** A new tab on the dashboard's `path`, its uncaught errors recorded. */
  open(path: string, options: PageOptions = {}): Promise<Page> {
    return openPage(this.browser, `${this.dashboard.url}${path}`, {
      ...options,
      onPageError: this.onPageError,
    });
  }

  /** Stops what was started, browser first: a failed beforeAll may have left some unset. */
  async stop(): Promise<void> {
    const started = this as Partial<Pick<BrowserStack, 'backend' | 'dashboard' | 'browser'>>;
    await started.browser?.close();
    await started.dashboard?.stop();
    await started.backend?.stop();
  }
}

/**
 * A stack stopped after the file's tests. With `failOnPageErrors`, every test fails on an
 * uncaught error in a page it opened, whatever else it checks: such an error can stop a page's
 * updates without a sign on screen.
 */
export function useBrowserStack({ failOnPageErrors = true } = {}): BrowserStack {
  const stack = new BrowserStack();
  afterAll(() => stack.stop());
  if (failOnPageErrors) {
    afterEach(() => {
      expect(stack.pageErrors.splice(0), 'uncaught errors in the page').toEqual([]);
    });
  }
  return stack;
}
