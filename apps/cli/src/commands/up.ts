import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  connectControllerBus,
  readManifestFolder,
  startLocalController,
} from '@cryptoviz/controller';
import { createDatabase, defaultStateDir, findOrStartInfrastructure } from '@cryptoviz/devenv';
import { migrate } from '@cryptoviz/store';
import { ensureDashboardBuild } from '@cryptoviz/web/build';
import { ProcessBackend, type ServiceRole } from '@cryptoviz/workloads';
import { SERVICE_ENTRIES, WORKER_ENTRIES } from '../local/entries.ts';
import { gatewayToken, planServices } from '../local/services.ts';

interface UpOptions {
  manifests: string;
  stateDir: string;
  namespace: string;
  logLevel: string;
  gatewayPort: string;
  webPort: string;
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
    const infra = await findOrStartInfrastructure(stateDir, process.env, (line) =>
      say(`• ${line}`),
    );
    started.push(infra);
    const databaseUrl =
      process.env.DATABASE_URL ?? (await createDatabase(infra.postgres.adminUrl, 'cryptoviz'));
    const flavor = await migrate(databaseUrl);

    // The controller's local backend: the same reconcile loop as in a cluster, workers as child
    // processes, the manifests folder watched for edits.
    const bus = await connectControllerBus(infra.nats.url, options.namespace, 'cryptoviz-up');
    started.push({ stop: () => bus.close() });
    const controller = await startLocalController({
      manifestsDir,
      stateDir,
      entries: WORKER_ENTRIES,
      baseEnv: {
        NATS_URL: infra.nats.url,
        DATABASE_URL: databaseUrl,
        CRYPTOVIZ_NAMESPACE: options.namespace,
        LOG_LEVEL: options.logLevel,
      },
      bus,
      onEvent: (line) => say(`• ${line}`),
    });
    started.push(controller);
    // The platform services a cluster gets from Helm: the API gateway and the dashboard.
    await ensureDashboardBuild(say);
    const { token, file: tokenFile } = gatewayToken(stateDir);
    const services = new ProcessBackend<ServiceRole>({
      stateDir,
      entries: SERVICE_ENTRIES,
      baseEnv: {
        NATS_URL: infra.nats.url,
        DATABASE_URL: databaseUrl,
        CRYPTOVIZ_NAMESPACE: options.namespace,
        LOG_LEVEL: options.logLevel,
      },
      onEvent: (line) => say(`• ${line}`),
    });
    started.push(services);
    await services.apply(planServices(manifestsDir, token, ports));

    const resources = controller.store.resources();
    const names = (kind: string) =>
      resources.filter((r) => r.kind === kind).map((r) => r.metadata.name);
    const models = names('PredictionModel');

    say('');
    say('CryptoViz is up.');
    say(`  PostgreSQL  ${redactUrl(databaseUrl)}  (${infra.postgres.origin}, ${flavor})`);
    say(`  NATS        ${infra.nats.url}  (${infra.nats.origin})`);
    say(
      `  Manifests   ${manifestsDir}: ${names('CryptoSource').join(', ') || 'no sources'}${models.length > 0 ? `; models: ${models.join(', ')}` : ''}`,
    );
    say('');
    say(`  ${'workload'.padEnd(32)} ${'pid'.padEnd(8)} ${'metrics & health'.padEnd(28)} log`);
    for (const running of [...services.list(), ...controller.processes.list()]) {
      say(
        `  ${running.workload.name.padEnd(32)} ${String(running.pid ?? '-').padEnd(8)} ${`http://127.0.0.1:${running.probePort}`.padEnd(28)} ${running.logFile}`,
      );
    }
    say('');
    say(`  Dashboard   http://127.0.0.1:${ports.web}`);
    say(`  API         http://127.0.0.1:${ports.gateway}/trpc`);
    say(
      `  Token       for creating and editing sources and models: ${tokenFile ? `in ${tokenFile}` : 'GATEWAY_TOKEN'}`,
    );
    say('');
    say('Press Ctrl-C to stop.');
  }
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
