import { z } from 'zod';
import { heartbeatOf, openWorkerBus } from '@cryptoviz/bus';
import { dataDirEnv } from '@cryptoviz/market';
import { resourceKeyOf } from '@cryptoviz/resources';
import { readResourceFile } from '@cryptoviz/resources/node';
import { natsEnv, workerIdEnv, type ServiceDefinition } from '@cryptoviz/runtime';
import { shardEnvSchema } from '@cryptoviz/workloads';
import { startFetcher } from './fetcher.ts';

const env = {
  ...natsEnv,
  ...workerIdEnv('fetcher'),
  ...dataDirEnv,
  /** The CryptoSource this worker serves: a manifest file (a mounted ConfigMap in a cluster). */
  SOURCE_FILE: z.string().min(1, 'must name the CryptoSource manifest file'),
  /** `index/count`: this worker carries every count-th symbol starting at index. */
  SHARD: shardEnvSchema,
  /** The provider API key, from the Secret named by spec.apiKeySecretRef. */
  CRYPTOVIZ_API_KEY: z.string().min(1).optional(),
};

/** Counts in the status; the rest (last error, provider stats, …) are details. */
const FETCHER_COUNTERS = [
  'ticksPublished',
  'duplicates',
  'skipped',
  'polls',
  'consecutiveFailures',
  'backfills',
  'droppedTicks',
] as const;

export const fetcherService: ServiceDefinition<typeof env> = {
  name: 'fetcher',
  env,
  secretEnv: ['CRYPTOVIZ_API_KEY'],
  async start({ config, log, registry }) {
    const source = await readResourceFile(config.SOURCE_FILE, 'CryptoSource', 'SOURCE_FILE');
    // The manifest carries the namespace the plan gave it: the key keeps namesakes apart.
    const key = resourceKeyOf(source);
    const bus = await openWorkerBus(config, log);
    const fetcher = startFetcher({
      nc: bus.nc,
      topo: bus.topo,
      log,
      registry,
      source: key,
      spec: source.spec,
      shard: config.SHARD,
      ...(config.CRYPTOVIZ_API_KEY ? { apiKey: config.CRYPTOVIZ_API_KEY } : {}),
      ...(config.CRYPTOVIZ_DATA_DIR ? { dataDir: config.CRYPTOVIZ_DATA_DIR } : {}),
    });
    bus.heartbeat({ role: 'fetcher', resource: key }, () =>
      heartbeatOf(fetcher.status(), FETCHER_COUNTERS),
    );
    log.info({ source: key, provider: source.spec.provider }, 'fetching');
    return {
      isReady: fetcher.isReady,
      async stop() {
        await fetcher.stop();
        await bus.close();
      },
    };
  },
};
