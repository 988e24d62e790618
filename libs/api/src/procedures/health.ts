import { collectPipelineHealth } from '../health/pipeline-health.ts';
import { isAuthenticated, publicProcedure, router } from '../trpc.ts';

export const healthRouter = router({
  /**
   * Workers per role, ingest rate, freshness per source, consumer lag, DB size, dead letters;
   * with the token, workers' errors as the provider worded them too (scrubbed).
   */
  pipeline: publicProcedure.query(({ ctx }) =>
    collectPipelineHealth(ctx.deps, { authenticated: isAuthenticated(ctx) }),
  ),
});
