import type { ServiceRole, Workload } from '@cryptoviz/workloads';

/**
 * Every role `cryptoviz up` runs, all from the compiled platform's one entry: the local
 * backend starts each as `node <entry> <role>`, as the image's containers are.
 */
export function platformEntries(entry: string): {
  workers: Record<Workload['role'], string>;
  services: Record<ServiceRole, string>;
} {
  return {
    workers: { fetcher: entry, writer: entry, predictor: entry },
    services: { gateway: entry, web: entry },
  };
}
