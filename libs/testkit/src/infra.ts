import { inject } from 'vitest';

/** What the run's global setup (test/global-setup.ts) started or found, for every test file. */
export interface TestInfrastructure {
  adminDatabaseUrl: string;
  natsUrl: string;
  /** A TimescaleDB-enabled cluster of this run's own, when the machine has the extension. */
  timescaleAdminUrl: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    infra: TestInfrastructure;
  }
}

/**
 * The run's infrastructure. Declared here, beside the helpers that use it, so that every
 * package's tests see one typed definition whatever project they are checked in.
 */
export function testInfra(): TestInfrastructure {
  return inject('infra');
}
