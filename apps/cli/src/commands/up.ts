import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  connectControllerBus,
  readManifestFolder,
  startLocalController,
} from '@cryptoviz/controller';
import {
  createDatabase,
  defaultStateDir,
  findOrStartNats,
  findOrStartPostgres,
} from '@cryptoviz/devenv';
import { dataDirEnv } from '@cryptoviz/market';
import { loadConfig } from '@cryptoviz/runtime';
import { migrate } from '@cryptoviz/store';
import { DEFAULT_BUILD_DIR, ensureDashboardBuild } from '@cryptoviz/web/build';
import { ProcessBackend, type RunningWorkload, type ServiceRole } from '@cryptoviz/workloads';
import { ensureCompiledPlatform } from '../build/compile.ts';
import { platformEntries } from '../local/entries.ts';
import { step } from '../local/progress.ts';
import { announceReadiness, waitUntilAnswering } from '../local/readiness.ts';
import { gatewayToken, planServices } from '../local/services.ts';
import { storagePolicyFrom } from './migrate.ts';

interface UpOptions {
  manifests: string;
  stateDir: string;
  namespace: string;
  logLevel: string;
  gatewayPort: string;
  webPort: string;
  createDatabase: boolean;
}

/** A URL as it may be shown to a person: without its password. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

const say = (line: string) => process.stdout.write(`${line}\n`);

function port(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new Error(`${option}: "${text}" is not a port (1–65535)`);
  }
  return value;
}

async function up(options: UpOptions): Promise<void> {
  const ports = {
    gateway: port(options.gatewayPort, '--gateway-port'),
    web: port(options.webPort, '--web-port'),
  };
  const stateDir = resolve(options.stateDir);
  const manifestsDir = resolve(options.manifests);
  // Read through the workers' own schemas, before anything starts: a bad variable is named
  // now, not after PostgreSQL and NATS are up.
  const policy = storagePolicyFrom(process.env);
  const env = loadConfig(z.object(dataDirEnv), process.env);
  // Named to every worker and the gateway, so fetchers read replay files where the gateway
  // checks them: by default here, where the samples' data/market paths point.
  const dataDir = resolve(env.CRYPTOVIZ_DATA_DIR ?? '.');
  // Refuse a bad manifest before starting anything, naming the file and the field.
  await readManifestFolder(manifestsDir);

  // What has started, stopped in reverse order on Ctrl-C, or when a later step fails: a
  // failed start leaves no PostgreSQL, NATS or worker behind.
  const started: { stop(): Promise<unknown> }[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
  };
  try {
    await startAll();
  } catch (err) {
    await stopAll();
    throw err;
  }

  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
  });
  say('stopping…');
  await stopAll();
  say('stopped.');

  async function startAll(): Promise<void> {
    const inner = (line: string) => say(`• ${line}`);
    // TimescaleDB when the machine has it: a server that loads it, or one of our own.
    const postgres = await step(
      say,
      {
        doing: 'finding PostgreSQL',
        done: (found) => `PostgreSQL: ${redactUrl(found.adminUrl)} (${found.origin})`,
      },
      () =>
        findOrStartPostgres(stateDir, process.env, inner, {
          preferTimescale: true,
          createDatabase: options.createDatabase,
        }),
    );
    started.push(postgres);
    const nats = await step(
      say,
      { doing: 'finding NATS', done: (found) => `NATS: ${found.url} (${found.origin})` },
      () => findOrStartNats(stateDir, process.env, inner),
    );
    started.push(nats);
    // `up` owns the schema here, as the migrate Job does in a cluster: before any worker.
    const { databaseUrl, flavor } = await step(
      say,
      {
        doing: 'migrating the database',
        done: (db) => `database ${redactUrl(db.databaseUrl)} migrated (${db.flavor})`,
      },
      async () => {
        const url =
          process.env.DATABASE_URL ?? (await createDatabase(postgres.adminUrl, 'cryptoviz'));
        const migrated = await migrate(url, { log: { info: () => {}, warn: inner }, policy });
        return { databaseUrl: url, flavor: migrated };
      },
    );
    // Workers run compiled, on plain node: a fraction of the memory and start-up time of
    // loading TypeScript through tsx in every process.
    const compiled = await step(
      say,
      {
        doing: 'compiling the workers',
        done: ({ built }) => (built ? 'workers compiled' : 'workers already compiled'),
      },
      () => noteBuild((announce) => ensureCompiledPlatform(announce)),
    );
    const entries = platformEntries(compiled.value);

    // The controller's local backend: the same reconcile loop as in a cluster, workers as child
    // processes, the manifests folder watched for edits. Connecting declares the streams and
    // the heartbeat bucket, which the controller owns: before any worker, which only waits.
    const bus = await connectControllerBus(nats.url, options.namespace, 'cryptoviz-up');
    started.push({ stop: () => bus.close() });
    const baseEnv = {
      NATS_URL: nats.url,
      DATABASE_URL: databaseUrl,
      CRYPTOVIZ_NAMESPACE: options.namespace,
      CRYPTOVIZ_DATA_DIR: dataDir,
      LOG_LEVEL: options.logLevel,
    };
    const controller = await step(
      say,
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
          manifestsDir,
          stateDir,
          entries: entries.workers,
          baseEnv,
          bus,
          onEvent: inner,
        }),
    );
    started.push(controller);
    // Each worker says when it is ready, while the dashboard builds and after.
    const workersReady = announceReadiness(() => controller.processes.list(), say);
    started.push({ stop: async () => workersReady.stop() });
    // The platform services a cluster gets from Helm: the API gateway and the dashboard.
    await step(
      say,
      {
        doing: 'building the dashboard',
        done: ({ built }) => (built ? 'dashboard built' : 'dashboard already built'),
      },
      () => noteBuild((announce) => ensureDashboardBuild(announce)),
    );
    const { token, file: tokenFile } = gatewayToken(stateDir);
    const services = new ProcessBackend<ServiceRole>({
      stateDir,
      entries: entries.services,
      baseEnv,
      onEvent: inner,
    });
    started.push(services);
    const dashboardUrl = `http://127.0.0.1:${ports.web}`;
    const apiUrl = `http://127.0.0.1:${ports.gateway}`;
    await step(
      say,
      {
        doing: 'starting the API gateway and the dashboard',
        done: () => 'the API gateway and the dashboard answer',
      },
      async () => {
        await services.apply(planServices(manifestsDir, token, ports, DEFAULT_BUILD_DIR));
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

    const resources = controller.store.resources();
    const names = (kind: string) =>
      resources.filter((r) => r.kind === kind).map((r) => r.metadata.name);
    const models = names('PredictionModel');

    say('');
    say('CryptoViz is up.');
    say(`  PostgreSQL  ${redactUrl(databaseUrl)}  (${postgres.origin}, ${flavor})`);
    say(`  NATS        ${nats.url}  (${nats.origin})`);
    say(
      `  Manifests   ${manifestsDir}: ${names('CryptoSource').join(', ') || 'no sources'}${models.length > 0 ? `; models: ${models.join(', ')}` : ''}`,
    );
    say('');
    say(
      `  ${'workload'.padEnd(32)} ${'pid'.padEnd(8)} ${'state'.padEnd(9)} ${'metrics & health'.padEnd(28)} log`,
    );
    for (const running of services.list()) {
      say(row(running, 'answers'));
    }
    for (const running of controller.processes.list()) {
      say(row(running, workersReady.isReady(running.workload.name) ? 'ready' : 'starting'));
    }
    say('');
    say(`  Dashboard   ${dashboardUrl}`);
    say(`  API         ${apiUrl}/trpc`);
    say(
      `  Token       for creating and editing sources and models: ${tokenFile ? `in ${tokenFile}` : 'GATEWAY_TOKEN'}`,
    );
    say('');
    say('Press Ctrl-C to stop.');
  }
}

/** Long enough for a loaded 2-core machine; past it, `up` names what does not answer. */
const SERVICES_ANSWER_WITHIN_MS = 5 * 60_000;

function row(running: RunningWorkload<string>, state: string): string {
  return `  ${running.workload.name.padEnd(32)} ${String(running.pid ?? '-').padEnd(8)} ${state.padEnd(9)} ${`http://127.0.0.1:${running.probePort}`.padEnd(28)} ${running.logFile}`;
}

/** Runs a build that announces itself only when it builds (buildOnce), noting whether it did. */
async function noteBuild<T>(
  build: (announce: (line: string) => void) => Promise<T>,
): Promise<{ value: T; built: boolean }> {
  let built = false;
  const value = await build(() => (built = true));
  return { value, built };
}

export function register(program: Command): void {
  program
    .command('up')
    .description(
      'Run the whole platform locally: PostgreSQL, NATS, a writer, a fetcher per source shard, a predictor per model shard, the API gateway and the dashboard (manifests are watched for edits)',
    )
    .option(
      '--manifests <dir>',
      'folder of CryptoSource/PredictionModel manifests',
      'k8s-dev/samples',
    )
    .option('--state-dir <dir>', 'where local data and logs live', defaultStateDir())
    .option(
      '--namespace <ns>',
      'prefix for streams and subjects (isolates installs)',
      process.env.CRYPTOVIZ_NAMESPACE ?? '',
    )
    .option(
      '--create-database',
      'create the database DATABASE_URL names when its server does not have it',
      false,
    )
    .option('--log-level <level>', 'worker log level', 'info')
    .option('--gateway-port <port>', 'API gateway port', process.env.GATEWAY_PORT ?? '8080')
    .option('--web-port <port>', 'dashboard port', process.env.WEB_PORT ?? '3000')
    .action(async (options: UpOptions) => {
      try {
        await up(options);
      } catch (err) {
        process.stderr.write(`cryptoviz up: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
