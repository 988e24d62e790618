import { connectControllerBus, startLocalController } from '@cryptoviz/controller';
import { createDatabase, findOrStartNats, findOrStartPostgres } from '@cryptoviz/devenv';
import { redactUrlPassword } from '@cryptoviz/runtime';
import { migrate, type StoragePolicy } from '@cryptoviz/store';
import { DEFAULT_BUILD_DIR, ensureDashboardBuild } from '@cryptoviz/web/build';
import { ProcessBackend, type ServiceRole } from '@cryptoviz/workloads';
import { ensureCompiledPlatform } from '../build/compile.ts';
import { platformEntries } from './entries.ts';
import { step, type Say } from './progress.ts';
import { announceReadiness, waitUntilAnswering } from './readiness.ts';
import { gatewayToken, planServices } from './services.ts';
import type { StartedParts } from './started-parts.ts';

/** What every step of `up` shares: where it says things, its folders, what it started. */
export interface UpContext {
  say: Say;
  /** A step's own lines, indented under it. */
  inner: Say;
  stateDir: string;
  manifestsDir: string;
  started: StartedParts;
}

/** Long enough for a loaded 2-core machine; past it, `up` names what does not answer. */
const SERVICES_ANSWER_WITHIN_MS = 5 * 60_000;

/** TimescaleDB when the machine has it: a server that loads it, or one of our own. */
export async function startPostgres(up: UpContext, createDatabaseIfMissing: boolean) {
  const postgres = await step(
    up.say,
    {
      doing: 'finding PostgreSQL',
      done: (found) => `PostgreSQL: ${redactUrlPassword(found.adminUrl)} (${found.origin})`,
    },
    () =>
      findOrStartPostgres(up.stateDir, process.env, up.inner, {
        preferTimescale: true,
        createDatabase: createDatabaseIfMissing,
      }),
  );
  return up.started.add(postgres);
}

export async function startNats(up: UpContext) {
  const nats = await step(
    up.say,
    { doing: 'finding NATS', done: (found) => `NATS: ${found.url} (${found.origin})` },
    () => findOrStartNats(up.stateDir, process.env, up.inner),
  );
  return up.started.add(nats);
}

/** `up` owns the schema here, as the migrate Job does in a cluster: before any worker. */
export async function migrateDatabase(up: UpContext, adminUrl: string, policy: StoragePolicy) {
  return step(
    up.say,
    {
      doing: 'migrating the database',
      done: (db) => `database ${redactUrlPassword(db.databaseUrl)} migrated (${db.flavor})`,
    },
    async () => {
      const url = process.env.DATABASE_URL ?? (await createDatabase(adminUrl, 'cryptoviz'));
      const migrated = await migrate(url, { log: { info: () => {}, warn: up.inner }, policy });
      return { databaseUrl: url, flavor: migrated };
    },
  );
}

/**
 * Workers run compiled, on plain node: a fraction of the memory and start-up time of loading
 * TypeScript through tsx in every process.
 */
export async function compileWorkers(up: UpContext) {
  const compiled = await step(
    up.say,
    {
      doing: 'compiling the workers',
      done: ({ built }) => (built ? 'workers compiled' : 'workers already compiled'),
    },
    () => noteBuild((announce) => ensureCompiledPlatform(announce)),
  );
  return platformEntries(compiled.value);
}

/**
 * The controller's local backend: the same reconcile loop as in a cluster, workers as child
 * processes, the manifests folder watched for edits. Each worker says when it is ready, while
 * the dashboard builds and after.
 */
export async function startWorkers(
  up: UpContext,
  settings: {
    natsUrl: string;
    namespace: string;
    entries: ReturnType<typeof platformEntries>['workers'];
    baseEnv: Record<string, string>;
  },
) {
  // Connecting declares the streams and the heartbeat bucket, which the controller owns:
  // before any worker starts, as workers and the gateway only wait for them.
  const bus = await connectControllerBus(
    settings.natsUrl,
    settings.namespace,
    'cryptoviz-up',
    up.inner,
  );
  up.started.add({ stop: () => bus.close() });
  const controller = await step(
    up.say,
    {
      doing: 'starting the workers',
      done: (local) =>
        `workers started: ${
          local.processes
            .list()
            .map((w) => w.workload.name)
            .join(', ') || 'none'
        }`,
    },
    () =>
      startLocalController({
        manifestsDir: up.manifestsDir,
        stateDir: up.stateDir,
        entries: settings.entries,
        baseEnv: settings.baseEnv,
        bus,
        onEvent: up.inner,
      }),
  );
  up.started.add(controller);
  const workersReady = announceReadiness(() => controller.processes.list(), up.say);
  up.started.add({ stop: async () => workersReady.stop() });
  return { controller, workersReady };
}

/** The platform services a cluster gets from Helm: the API gateway and the dashboard. */
export async function startServices(
  up: UpContext,
  settings: {
    entries: ReturnType<typeof platformEntries>['services'];
    baseEnv: Record<string, string>;
    ports: { gateway: number; web: number };
  },
) {
  await step(
    up.say,
    {
      doing: 'building the dashboard',
      done: ({ built }) => (built ? 'dashboard built' : 'dashboard already built'),
    },
    () => noteBuild((announce) => ensureDashboardBuild(announce)),
  );
  const { token, file: tokenFile } = gatewayToken(up.stateDir);
  const services = up.started.add(
    new ProcessBackend<ServiceRole>({
      stateDir: up.stateDir,
      entries: settings.entries,
      baseEnv: settings.baseEnv,
      onEvent: up.inner,
    }),
  );
  const dashboardUrl = `http://127.0.0.1:${settings.ports.web}`;
  const apiUrl = `http://127.0.0.1:${settings.ports.gateway}`;
  await step(
    up.say,
    {
      doing: 'starting the API gateway and the dashboard',
      done: () => 'the API gateway and the dashboard answer',
    },
    async () => {
      await services.apply(planServices(up.manifestsDir, token, settings.ports, DEFAULT_BUILD_DIR));
      const logOf = (name: string) =>
        services.list().find((w) => w.workload.name === name)?.logFile;
      // "Up" is said of a platform a browser can use: both answer before it is.
      await waitUntilAnswering(
        [
          { name: 'the API gateway', url: `${apiUrl}/healthz`, logFile: logOf('gateway') },
          { name: 'the dashboard', url: `${dashboardUrl}/`, logFile: logOf('web') },
        ],
        SERVICES_ANSWER_WITHIN_MS,
      );
    },
  );
  return { services, dashboardUrl, apiUrl, tokenFile };
}

/** Runs a build that announces itself only when it builds (buildOnce), noting whether it did. */
async function noteBuild<T>(
  build: (announce: (line: string) => void) => Promise<T>,
): Promise<{ value: T; built: boolean }> {
  let built = false;
  const value = await build(() => (built = true));
  return { value, built };
}
