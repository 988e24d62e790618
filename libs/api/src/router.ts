import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { healthRouter } from './procedures/health.ts';
import { liveRouter } from './procedures/live.ts';
import { marketsRouter } from './procedures/markets.ts';
import { predictionsRouter } from './procedures/predictions.ts';
import { resourcesRouter } from './procedures/resources.ts';
import { signalsRouter } from './procedures/signals.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  markets: marketsRouter,
  predictions: predictionsRouter,
  signals: signalsRouter,
  resources: resourcesRouter,
  health: healthRouter,
  live: liveRouter,
});

/** The API's type: all the web app imports from @cryptoviz/api. */
export type AppRouter = typeof appRouter;

/** What each procedure returns and takes, derived from the router (for clients). */
export type ApiOutputs = inferRouterOutputs<AppRouter>;
export type ApiInputs = inferRouterInputs<AppRouter>;
