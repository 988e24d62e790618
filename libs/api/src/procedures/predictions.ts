import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { TRADING_COSTS, TradingInputError, tradeSignals } from '@cryptoviz/forecast';
import {
  CANDLE_INTERVALS,
  accuracy,
  candleIntervalFor,
  latestPredictions,
  predictionHistory,
  skillEvidence,
  strategyBarCount,
  strategyInputs,
} from '@cryptoviz/store';
import type { QueryLimits } from '../query-limits.ts';
import {
  assertRangeWithin,
  assertRowsWithin,
  fromBeforeTo,
  fromBeforeToMessage,
  horizonS,
  keyHere,
  keyList,
  keysHere,
  rangeShape,
  resourceKeyInput,
  symbol,
  symbolList,
} from '../inputs.ts';
import { isDeclaredForecast } from '../resources/declared-resources.ts';
import { publicProcedure, router } from '../trpc.ts';
import { withSkillEvidence } from './skill-figures.ts';
import { alignSignals } from './strategy-bars.ts';

const DAY_MS = 86_400_000;

/** How far back a series' own time a procedure looks, in days. */
const windowDays = z.number().min(0.01).max(3_650).default(7);

function assertWindowWithin(days: number, limits: QueryLimits): void {
  if (days * DAY_MS > limits.maxRangeMs) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `windowDays too large: ${days} asked, at most ${limits.maxRangeMs / DAY_MS} allowed`,
    });
  }
}

export const predictionsRouter = router({
  /** The newest forecast of every declared model per declared source, symbol and horizon. */
  latest: publicProcedure
    .input(
      z.strictObject({ symbols: symbolList.optional(), models: keyList.optional() }).default({}),
    )
    .query(async ({ ctx, input }) => {
      const declared = await ctx.deps.declared.read();
      const latest = await latestPredictions(ctx.deps.pool, {
        ...input,
        models: keysHere(ctx.deps, input.models),
      });
      return latest.filter((p) => isDeclaredForecast(declared, p));
    }),

  /**
   * One model's forecasts for one symbol and horizon, with what actually happened: history,
   * so a deleted model's stay readable.
   */
  history: publicProcedure
    .input(
      z
        .strictObject({
          model: resourceKeyInput,
          symbol,
          horizonS,
          source: resourceKeyInput.optional(),
          ...rangeShape,
        })
        .refine(fromBeforeTo, fromBeforeToMessage),
    )
    .query(async ({ ctx, input }) => {
      assertRangeWithin(input, ctx.deps.limits);
      return predictionHistory(ctx.deps.pool, {
        ...input,
        model: keyHere(ctx.deps, input.model),
        source: input.source && keyHere(ctx.deps, input.source),
        limit: ctx.deps.limits.maxRows,
      });
    }),

  /**
   * MAE, MAPE, RMSE, directional accuracy and skill against naive ("the price stays where it
   * is") over the scored forecasts of each series' last `windowDays`, in its own time (up to
   * its newest scored target: a replay's days are days of its market), of declared models;
   * with the share of realized prices inside the forecast interval, a Diebold–Mariano test of
   * the skill and the reliability of the directional calls' confidence. The test and the
   * reliability read the newest `maxRows` scored forecasts of each series (the metrics read
   * all of the window), so a response is bounded however fine the series.
   */
  accuracy: publicProcedure
    .input(
      z
        .strictObject({
          model: resourceKeyInput.optional(),
          symbol: symbol.optional(),
          horizonS: horizonS.optional(),
          windowDays,
        })
        .default({ windowDays: 7 }),
    )
    .query(async ({ ctx, input }) => {
      assertWindowWithin(input.windowDays, ctx.deps.limits);
      const { windowDays: days, model, ...filter } = input;
      const query = {
        ...filter,
        ...(model ? { model: keyHere(ctx.deps, model) } : {}),
        seriesWindowMs: days * DAY_MS,
      };
      const declared = await ctx.deps.declared.read();
      const [scores, evidence] = await Promise.all([
        accuracy(ctx.deps.pool, query),
        skillEvidence(ctx.deps.pool, { ...query, maxPairs: ctx.deps.limits.maxRows }),
      ]);
      return withSkillEvidence(
        scores.filter((score) => isDeclaredForecast(declared, score)),
        evidence,
      );
    }),

  /**
   * Would the model's signals have paid? Its stored live signals over the last `windowDays`
   * of the series' own time, traded on the stored candles of the same source and symbol (the
   * largest candle not longer than the horizon, coarser when the window would need more than
   * maxRows of them; `interval` says which) with fees and slippage per side, beside
   * buy-and-hold and a coin flip of the same exposure. History, like `history`: a deleted
   * model's stays readable.
   */
  strategy: publicProcedure
    .input(
      z.strictObject({
        model: resourceKeyInput,
        symbol,
        horizonS,
        source: resourceKeyInput.optional(),
        windowDays,
        feeRate: TRADING_COSTS.shape.feeRate.optional(),
        slippageRate: TRADING_COSTS.shape.slippageRate.optional(),
        allowShort: TRADING_COSTS.shape.allowShort.optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const { limits } = ctx.deps;
      assertWindowWithin(input.windowDays, limits);
      const model = keyHere(ctx.deps, input.model);
      const source = input.source && keyHere(ctx.deps, input.source);
      const horizonMs = input.horizonS * 1000;
      const windowMs = input.windowDays * DAY_MS;
      const interval = candleIntervalFor(horizonMs, { windowMs, maxBars: limits.maxRows });
      // Only a limit below a window's daily candles leaves too many even at the coarsest size.
      assertRowsWithin(
        strategyBarCount(windowMs, CANDLE_INTERVALS[interval]),
        limits,
        `${interval} candles (windowDays ${input.windowDays})`,
      );
      const inputs = await strategyInputs(ctx.deps.pool, ctx.deps.flavor, {
        model,
        symbol: input.symbol,
        horizonS: input.horizonS,
        ...(source ? { source } : {}),
        windowMs,
        maxRows: limits.maxRows,
      });
      if (!inputs) {
        throw new TRPCError({
          code: 'NOT_FOUND',
          message: `no forecasts of ${model} for ${input.symbol} at ${input.horizonS}s${source ? ` from ${source}` : ''}`,
        });
      }
      const aligned = alignSignals(inputs.candles, inputs.signals);
      try {
        const result = tradeSignals(aligned.bars, aligned.signals, {
          ...(input.feeRate === undefined ? {} : { feeRate: input.feeRate }),
          ...(input.slippageRate === undefined ? {} : { slippageRate: input.slippageRate }),
          ...(input.allowShort === undefined ? {} : { allowShort: input.allowShort }),
        });
        return {
          ...result,
          model,
          source: inputs.source,
          symbol: input.symbol,
          horizonS: input.horizonS,
          interval: inputs.interval,
          signalledBars: aligned.signalledBars,
        };
      } catch (err) {
        if (!(err instanceof TradingInputError)) throw err;
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `cannot trade ${model}'s signals on ${inputs.source} ${input.symbol} ${inputs.interval} candles over windowDays ${input.windowDays}: ${err.message}`,
        });
      }
    }),
});
