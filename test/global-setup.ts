import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { TestProject } from 'vitest/node';
import { connectBus, deleteStreams, declareBusInfrastructure, topology } from '@cryptoviz/bus';
import {
  defaultStateDir,
  findOrStartInfrastructure,
  findTimescale,
  startTimescalePostgres,
  type OwnPostgres,
} from '@cryptoviz/devenv';
import { ensureDashboardBuild } from '@cryptoviz/web/build';
import type { TestInfrastructure } from '@cryptoviz/testkit';
import { freePort } from '@cryptoviz/workloads';
import { realNodeTestUnavailable } from '../charts/cryptoviz/test/node-fixture.ts';
import { KUBERNETES_NODE_ENV, STORAGE_FLAVORS_ENV } from './summary-reporter.ts';

/**
 * A TimescaleDB-enabled cluster for this run when the extension is installed: the shared
 * server does not preload it. Durability is traded for speed, as its data dies with the run.
 */
async function startTimescaleForRun(): Promise<OwnPostgres | undefined> {
  const install = findTimescale();
  if (!install) {
    process.env[STORAGE_FLAVORS_ENV] =
      'PostgreSQL only; TimescaleDB not available (the timescaledb extension is not installed)';
    return undefined;
  }
  const cluster = await startTimescalePostgres({
    port: await freePort(),
    // No job scheduler: tests run policies with CALL run_job, as on PostgreSQL 15.20 the
    // scheduler's runs end marked Failed, and a run of its own would race the test's.
    settings: {
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      'timescaledb.max_background_workers': '0',
    },
  });
  process.env[STORAGE_FLAVORS_ENV] = `PostgreSQL, TimescaleDB ${install.version}`;
  return cluster;
}

/**
 * Streams of this run's own, kept while it lasts. nats-server removes an account's streams
 * folder when its last stream is deleted, and a stream created at that moment fails with
 * "could not create storage directory" (seen as test buses come and go in two workers on one
 * server); while these exist, the folder is never empty.
 */
async function holdStreamsFolder(natsUrl: string): Promise<() => Promise<void>> {
  const nc = await connectBus(natsUrl, 'cryptoviz-test-run');
  const jsm = await jetstreamManager(nc);
  const topo = topology(`run-${randomBytes(4).toString('hex')}`);
  await declareBusInfrastructure(jsm, topo);
  return async () => {
    await deleteStreams(jsm, topo);
    await nc.close();
  };
}

/**
 * Finds the PostgreSQL and NATS every integration test uses, starting them when the machine
 * has none running, starts a TimescaleDB-enabled cluster when it can, builds the dashboard
 * when its sources changed, and stops what it started once the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const infra = await findOrStartInfrastructure(defaultStateDir(), process.env, (line) =>
    process.stderr.write(`[test infra] ${line}\n`),
  );
  let releaseStreams = async () => {};
  let timescale: OwnPostgres | undefined;
  try {
    releaseStreams = await holdStreamsFolder(infra.nats.url);
  } catch (err) {
    await infra.stop();
    throw err;
  }
  try {
    timescale = await startTimescaleForRun();
  } catch (err) {
    process.env[STORAGE_FLAVORS_ENV] =
      `PostgreSQL only; TimescaleDB not available (${(err as Error).message})`;
  }
  const noNode = realNodeTestUnavailable();
  process.env[KUBERNETES_NODE_ENV] = noNode
    ? `skipped, the chart's real-node test cannot run here: ${noNode}`
    : 'real (containerd, kubelet, kube-proxy and CoreDNS in a network namespace of its own)';
  const stop = async () => {
    await releaseStreams();
    if (timescale) {
      await timescale.stop();
      await rm(dirname(timescale.dataDir), { recursive: true, force: true });
    }
    await infra.stop();
  };
  project.provide('infra', {
    adminDatabaseUrl: infra.postgres.adminUrl,
    natsUrl: infra.nats.url,
    timescaleAdminUrl: timescale?.adminUrl ?? null,
  } satisfies TestInfrastructure);
  // Once, before any test, so that `cryptoviz up` and the browser tests find a current build
  // rather than each racing to make one. A failure here must not leave the servers running:
  // vitest only calls the teardown of a setup that returned.
  try {
    await ensureDashboardBuild((line) => process.stderr.write(`[test setup] ${line}\n`));
  } catch (err) {
    await stop();
    throw err;
  }
  return stop;
}
