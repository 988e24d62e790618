import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { accuracy, latestPredictions, predictionHistory } from '@cryptoviz/store';
import {
  assertRangeWithin,
  fromBeforeTo,
  fromBeforeToMessage,
  horizon,
  nameList,
  rangeShape,
  resourceName,
  symbol,
  symbolList,
} from '../inputs.ts';
import { publicProcedure, router } from '../trpc.ts';

const DAY_MS = 86_400_000;

export const predictionsRouter = router({
  /** The newest forecast of every model per source, symbol and horizon. */
  latest: publicProcedure
    .input(
      z.strictObject({ symbols: symbolList.optional(), models: nameList.optional() }).default({}),
    )
    .query(({ ctx, input }) => latestPredictions(ctx.deps.pool, input)),

  /** One model's forecasts for one symbol and horizon, with what actually happened. */
  history: publicProcedure
    .input(
      z
        .strictObject({
          model: resourceName,
          symbol,
          horizon,
          source: resourceName.optional(),
          ...rangeShape,
        })
        .refine(fromBeforeTo, fromBeforeToMessage),
    )
    .query(async ({ ctx, input }) => {
      assertRangeWithin(input, ctx.deps.limits);
      return predictionHistory(ctx.deps.pool, { ...input, limit: ctx.deps.limits.maxRows });
    }),

  /**
   * MAE, MAPE, RMSE, directional accuracy and skill against naive ("the price stays where it
   * is") over the scored forecasts of the last `windowDays`.
   */
  accuracy: publicProcedure
    .input(
      z
        .strictObject({
          model: resourceName.optional(),
          symbol: symbol.optional(),
          horizon: horizon.optional(),
          windowDays: z.number().min(0.01).max(3_650).default(7),
        })
        .default({ windowDays: 7 }),
    )
    .query(async ({ ctx, input }) => {
      if (input.windowDays * DAY_MS > ctx.deps.limits.maxRangeMs) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `windowDays too large: ${input.windowDays} asked, at most ${ctx.deps.limits.maxRangeMs / DAY_MS} allowed`,
        });
      }
      const { windowDays, ...filter } = input;
      const since = new Date(Date.now() - windowDays * DAY_MS);
      return await accuracy(ctx.deps.pool, { ...filter, since });
    }),
});
