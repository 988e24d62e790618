import type { TestProject } from 'vitest/node';
import { defaultStateDir, findOrStartInfrastructure } from '@cryptoviz/devenv';
import { ensureDashboardBuild } from '@cryptoviz/web/build';

declare module 'vitest' {
  export interface ProvidedContext {
    infra: { adminDatabaseUrl: string; natsUrl: string };
  }
}

/**
 * Finds the PostgreSQL and NATS every integration test uses, starting them when the machine
 * has none running, builds the dashboard when its sources changed, and stops what it started
 * once the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const infra = await findOrStartInfrastructure(defaultStateDir(), process.env, (line) =>
    process.stderr.write(`[test infra] ${line}\n`),
  );
  project.provide('infra', { adminDatabaseUrl: infra.postgres.adminUrl, natsUrl: infra.nats.url });
  // Once, before any test, so that `cryptoviz up` and the browser tests find a current build
  // rather than each racing to make one.
  await ensureDashboardBuild((line) => process.stderr.write(`[test setup] ${line}\n`));
  return () => infra.stop();
}
