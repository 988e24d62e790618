import { z } from 'zod';
import type { Forecast } from './forecaster.ts';

export type Signal = 'BUY' | 'SELL' | 'HOLD';

export const SIGNAL_RULE = z.strictObject({
  /** Expected move (fraction of price) a trade must clear. */
  threshold: z.coerce
    .number()
    .min(0)
    .max(1)
    // Binance spot's taker fee is 0.1% a side: a smaller expected move cannot pay a round trip.
    .default(0.002)
    .describe('minimum |point/last − 1| to act on'),
  minConfidence: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.7)
    .describe('minimum forecast confidence to act on'),
});

export type SignalRule = z.output<typeof SIGNAL_RULE>;

/** The rule when a model sets none: what the dashboard's consensus calls by too. */
export const DEFAULT_SIGNAL_RULE: SignalRule = Object.freeze(SIGNAL_RULE.parse({}));

/**
 * BUY when the expected move point/last − 1 is at least `threshold` and confidence is at least
 * `minConfidence`; SELL for the mirror image; HOLD otherwise.
 */
export function signalFor(forecast: Forecast, rule: Partial<SignalRule> = {}): Signal {
  return signalForMove(
    forecast.point / forecast.last - 1,
    forecast.confidence,
    SIGNAL_RULE.parse(rule),
  );
}

/** signalFor's rule on an expected move and confidence, with a rule already parsed (hot loops). */
export function signalForMove(move: number, confidence: number, rule: SignalRule): Signal {
  if (confidence < rule.minConfidence) return 'HOLD';
  if (move >= rule.threshold && move > 0) return 'BUY';
  if (move <= -rule.threshold && move < 0) return 'SELL';
  return 'HOLD';
}
