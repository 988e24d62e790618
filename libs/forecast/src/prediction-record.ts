import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: false });
/** The shape of a resource key; @cryptoviz/resources' resourceKeySchema checks its parts. */
const resourceKey = z
  .string()
  .regex(/^[a-z0-9-]{1,63}\/[a-z0-9-]{1,63}$/, 'must be namespace/name');

/**
 * One forecast as the platform publishes and stores it: the PREDICTIONS stream's message and
 * a row of the predictions table. Its identity is (model, source, symbol, horizon, madeAt).
 */
export const predictionRecordSchema = z.strictObject({
  /** The PredictionModel's key, `namespace/name` (forecast imports none of our libs). */
  model: resourceKey,
  algorithm: z.string().min(1),
  /** The CryptoSource's key, `namespace/name`. */
  source: resourceKey,
  symbol: z.string().regex(/^[A-Z0-9]{1,15}$/),
  horizonS: z.int().positive(),
  /** Close time of the bar the forecast was made on (event time, not wall time). */
  madeAt: isoTime,
  targetAt: isoTime,
  /** The close the forecast started from: naive's forecast, and the reference for direction. */
  originPrice: z.number().positive(),
  point: z.number(),
  lower: z.number(),
  upper: z.number(),
  confidence: z.number().min(0).max(1),
  signal: z.enum(['BUY', 'SELL', 'HOLD']),
});
export type PredictionRecord = z.infer<typeof predictionRecordSchema>;

export function predictionId(
  p: Pick<PredictionRecord, 'model' | 'source' | 'symbol' | 'horizonS' | 'madeAt'>,
): string {
  return `${p.model}:${p.source}:${p.symbol}:${p.horizonS}:${p.madeAt}`;
}
