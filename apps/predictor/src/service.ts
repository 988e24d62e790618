import { z } from 'zod';
import { heartbeatOf, openWorkerBus } from '@cryptoviz/bus';
import { resourceKeyOf } from '@cryptoviz/resources';
import { readResourceFile } from '@cryptoviz/resources/node';
import { databaseEnv, natsEnv, workerIdEnv, type ServiceDefinition } from '@cryptoviz/runtime';
import { createPool, waitForSchema } from '@cryptoviz/store';
import { shardEnvSchema, shardSymbols } from '@cryptoviz/workloads';
import { DEFAULT_CATCH_UP_MAX_BARS } from './catch-up-plan.ts';
import { startPredictor } from './predictor.ts';

const env = {
  ...natsEnv,
  ...databaseEnv,
  ...workerIdEnv('predictor'),
  /** The PredictionModel this worker serves: a manifest file (a mounted ConfigMap in a cluster). */
  MODEL_FILE: z.string().min(1, 'must name the PredictionModel manifest file'),
  SHARD: shardEnvSchema,
  /** A restarted worker forecasts at most this many bars of its downtime: the newest ones. */
  PREDICTOR_CATCHUP_MAX_BARS: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .default(DEFAULT_CATCH_UP_MAX_BARS),
};

/** Counts in the status; accuracy, skill and per-series metrics are details. */
const PREDICTOR_COUNTERS = ['series', 'predictionsPublished', 'scored', 'ignoredTicks'] as const;

export const predictorService: ServiceDefinition<typeof env> = {
  name: 'predictor',
  env,
  async start({ config, log, registry }) {
    const resource = await readResourceFile(config.MODEL_FILE, 'PredictionModel', 'MODEL_FILE');
    // The schema is `cryptoviz migrate`'s: a predictor only waits for it to be current.
    await waitForSchema(config.DATABASE_URL, { log: (m) => log.warn(m) });
    // The manifest carries the namespace the plan gave it: the key keeps namesakes apart.
    const key = resourceKeyOf(resource);
    const bus = await openWorkerBus(config, log);
    const pool = createPool(config.DATABASE_URL);
    const predictor = await startPredictor({
      nc: bus.nc,
      topo: bus.topo,
      pool,
      log,
      registry,
      model: key,
      spec: resource.spec,
      symbols: shardSymbols(resource.spec.symbols, config.SHARD.index, config.SHARD.count),
      catchUpMaxBars: config.PREDICTOR_CATCHUP_MAX_BARS,
    });
    bus.heartbeat({ role: 'predictor', resource: key }, () =>
      heartbeatOf(predictor.status(), PREDICTOR_COUNTERS),
    );
    log.info({ model: key, algorithm: resource.spec.algorithm }, 'forecasting');
    return {
      isReady: predictor.isReady,
      async stop() {
        await predictor.stop();
        await bus.close();
        await pool.end();
      },
    };
  },
};
