import { collectPipelineHealth } from '../health/pipeline-health.ts';
import { publicProcedure, router } from '../trpc.ts';

export const healthRouter = router({
  /** Workers per role, ingest rate, freshness per source, consumer lag, DB size, dead letters. */
  pipeline: publicProcedure.query(({ ctx }) => collectPipelineHealth(ctx.deps)),
});
