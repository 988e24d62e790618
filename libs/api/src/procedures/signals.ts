import { z } from 'zod';
import type { PredictionRecord } from '@cryptoviz/forecast';
import { latestPredictions } from '@cryptoviz/store';
import { keyList, keysHere, symbolList } from '../inputs.ts';
import { isDeclaredForecast } from '../resources/declared-resources.ts';
import { publicProcedure, router } from '../trpc.ts';

export interface SignalView {
  model: string;
  source: string;
  symbol: string;
  horizonS: number;
  signal: PredictionRecord['signal'];
  confidence: number;
  /** Expected move point/origin − 1: what the signal is betting on. */
  expectedMove: number;
  madeAt: string;
  targetAt: string;
}

export function toSignal(p: PredictionRecord): SignalView {
  return {
    model: p.model,
    source: p.source,
    symbol: p.symbol,
    horizonS: p.horizonS,
    signal: p.signal,
    confidence: p.confidence,
    expectedMove: p.point / p.originPrice - 1,
    madeAt: p.madeAt,
    targetAt: p.targetAt,
  };
}

export const signalsRouter = router({
  /** The current call of every declared model per declared source, symbol and horizon. */
  latest: publicProcedure
    .input(
      z.strictObject({ symbols: symbolList.optional(), models: keyList.optional() }).default({}),
    )
    .query(async ({ ctx, input }) => {
      const declared = await ctx.deps.declared.read();
      const predictions = await latestPredictions(ctx.deps.pool, {
        ...input,
        models: keysHere(ctx.deps, input.models),
      });
      return predictions.filter((p) => isDeclaredForecast(declared, p)).map(toSignal);
    }),
});
