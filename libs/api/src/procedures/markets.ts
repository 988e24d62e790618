import { z } from 'zod';
import { CANDLE_INTERVALS, candles, latestTicks, sparklines } from '@cryptoviz/store';
import {
  assertRangeWithin,
  assertRowsWithin,
  fromBeforeTo,
  fromBeforeToMessage,
  keyHere,
  keyList,
  keysHere,
  rangeShape,
  resourceKeyInput,
  symbol,
  symbolList,
} from '../inputs.ts';
import { isDeclaredSource } from '../resources/declared-resources.ts';
import { publicProcedure, router } from '../trpc.ts';
import { compareSources } from './source-spread.ts';

const intervalSchema = z.enum(Object.keys(CANDLE_INTERVALS) as [keyof typeof CANDLE_INTERVALS]);

export const marketsRouter = router({
  /** The newest tick of every declared (source, symbol): price, 24h change, volume. */
  latest: publicProcedure
    .input(
      z.strictObject({ symbols: symbolList.optional(), sources: keyList.optional() }).default({}),
    )
    .query(async ({ ctx, input }) => {
      const declared = await ctx.deps.declared.read();
      const ticks = await latestTicks(ctx.deps.pool, {
        ...input,
        sources: keysHere(ctx.deps, input.sources),
      });
      return ticks.filter((t) => isDeclaredSource(declared, t.source));
    }),

  /** A small 24h trace per (source, symbol) for the markets table. */
  sparklines: publicProcedure
    .input(
      z
        .strictObject({
          symbols: symbolList.optional(),
          hours: z.int().min(1).max(168).default(24),
          points: z.int().min(2).max(200).default(48),
        })
        .default({ hours: 24, points: 48 }),
    )
    .query(async ({ ctx, input }) => {
      const declared = await ctx.deps.declared.read();
      const lines = await sparklines(ctx.deps.pool, {
        hours: input.hours,
        buckets: input.points,
        ...(input.symbols ? { symbols: input.symbols } : {}),
      });
      return lines.filter((line) => isDeclaredSource(declared, line.source));
    }),

  /**
   * OHLC candles of one symbol from one source over [from, to): history, so a deleted
   * source's stay readable.
   */
  candles: publicProcedure
    .input(
      z
        .strictObject({ source: resourceKeyInput, symbol, interval: intervalSchema, ...rangeShape })
        .refine(fromBeforeTo, fromBeforeToMessage),
    )
    .query(async ({ ctx, input }) => {
      assertRangeWithin(input, ctx.deps.limits);
      const spanMs = input.to.getTime() - input.from.getTime();
      const buckets = Math.ceil(spanMs / CANDLE_INTERVALS[input.interval]);
      assertRowsWithin(buckets, ctx.deps.limits, `${input.interval} candles`);
      return candles(ctx.deps.pool, ctx.deps.flavor, {
        ...input,
        source: keyHere(ctx.deps, input.source),
      });
    }),

  /**
   * One symbol across every declared source that carries it, with the spread between those
   * whose newest prices are from the same time.
   */
  compare: publicProcedure.input(z.strictObject({ symbol })).query(async ({ ctx, input }) => {
    const declared = await ctx.deps.declared.read();
    const ticks = await latestTicks(ctx.deps.pool, { symbols: [input.symbol] });
    return compareSources(
      input.symbol,
      ticks.filter((t) => isDeclaredSource(declared, t.source)),
    );
  }),
});
