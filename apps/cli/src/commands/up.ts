import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { readManifestFolder } from '@cryptoviz/controller';
import { defaultStateDir } from '@cryptoviz/devenv';
import { dataDirEnv } from '@cryptoviz/market';
import { loadConfig } from '@cryptoviz/runtime';
import { StartedParts } from '../local/started-parts.ts';
import { sayUpSummary } from '../local/up-summary.ts';
import {
  compileWorkers,
  migrateDatabase,
  startNats,
  startPostgres,
  startServices,
  startWorkers,
  type UpContext,
} from '../local/up-steps.ts';
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

  const started = new StartedParts();
  const context: UpContext = {
    say,
    inner: (line: string) => say(`• ${line}`),
    stateDir,
    manifestsDir,
    started,
  };
  try {
    await startAll();
  } catch (err) {
    await started.stopAll();
    throw err;
  }

  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
  });
  say('stopping…');
  await started.stopAll();
  say('stopped.');

  async function startAll(): Promise<void> {
    const postgres = await startPostgres(context, options.createDatabase);
    const nats = await startNats(context);
    const { databaseUrl, flavor } = await migrateDatabase(context, postgres.adminUrl, policy);
    const entries = await compileWorkers(context);
    const baseEnv = {
      NATS_URL: nats.url,
      DATABASE_URL: databaseUrl,
      CRYPTOVIZ_NAMESPACE: options.namespace,
      CRYPTOVIZ_DATA_DIR: dataDir,
      LOG_LEVEL: options.logLevel,
    };
    const { controller, workersReady } = await startWorkers(context, {
      natsUrl: nats.url,
      namespace: options.namespace,
      entries: entries.workers,
      baseEnv,
    });
    const { services, dashboardUrl, apiUrl, tokenFile } = await startServices(context, {
      entries: entries.services,
      baseEnv,
      ports,
    });
    sayUpSummary(say, {
      databaseUrl,
      postgres,
      flavor,
      nats,
      manifestsDir,
      resources: controller.store.resources(),
      services: services.list(),
      workers: controller.processes.list(),
      isReady: (workload) => workersReady.isReady(workload),
      dashboardUrl,
      apiUrl,
      tokenFile,
    });
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
