import { createRequire } from 'node:module';
import type { ServiceRole, Workload } from '@cryptoviz/workloads';

const require = createRequire(import.meta.url);

/** The entry module of a worker package, or undefined when it is not installed (yet). */
function entry(specifier: string): string | undefined {
  try {
    return require.resolve(specifier);
  } catch {
    return undefined;
  }
}

/**
 * Each worker role's entry module, resolved from its workspace package. A role without one is
 * skipped by the local backend, with an event saying so.
 */
export const WORKER_ENTRIES: Partial<Record<Workload['role'], string>> = Object.fromEntries(
  Object.entries({
    fetcher: entry('@cryptoviz/fetcher/main'),
    writer: entry('@cryptoviz/writer/main'),
    predictor: entry('@cryptoviz/predictor/main'),
  }).filter(([, path]) => path !== undefined),
);

/** The platform services `cryptoviz up` runs beside the workers. */
export const SERVICE_ENTRIES: Partial<Record<ServiceRole, string>> = Object.fromEntries(
  Object.entries({
    gateway: entry('@cryptoviz/gateway/main'),
    web: entry('@cryptoviz/web/main'),
  }).filter(([, path]) => path !== undefined),
);
