import { z } from 'zod';
import { RingBuffer } from './ring-buffer.ts';

const share = z.number().min(0).max(1);
const nonNegative = z.number().min(0);

/**
 * The score metrics of forecasts, the one definition every figure derives from: SQL
 * (libs/store `accuracy`) computes the same ones over stored forecasts, and a test holds the two
 * to each other. Shares are fractions (0–1); percentages only where a human reads them. A schema
 * because workers send their metrics to the controller in heartbeats.
 */
export const scoreMetricsSchema = z.object({
  /** Pairs scored. */
  n: z.number().int().min(0),
  /** Mean |ŷ − y|; null when n = 0. */
  mae: nonNegative.nullable(),
  /** Mean |ŷ − y| / |y|, a fraction (0.01 = 1 %). */
  mape: nonNegative.nullable(),
  rmse: nonNegative.nullable(),
  /**
   * Share (0–1) of pairs with sign(ŷ − last) = sign(y − last), over the `directionCalls` pairs
   * where neither side is flat; null when there are none (e.g. always for naive).
   */
  directionalAccuracy: share.nullable(),
  /** Pairs whose direction counts: neither the forecast nor the realized price is flat. */
  directionCalls: z.number().int().min(0),
  /** Mean |last − y|: naive's MAE over the same pairs, what skill is measured against. */
  naiveMae: nonNegative.nullable(),
  /** 1 − mae / mae(naive) over the same pairs; null when naive's mae is 0 or n = 0. */
  skill: z.number().nullable(),
});

export type ScoreMetrics = z.infer<typeof scoreMetricsSchema>;

/** The metrics of no pairs at all. */
export const NO_SCORES: ScoreMetrics = Object.freeze({
  n: 0,
  mae: null,
  mape: null,
  rmse: null,
  directionalAccuracy: null,
  directionCalls: 0,
  naiveMae: null,
  skill: null,
});

/** 1 − mae / naiveMae; null when naive made no error to beat (or there was nothing scored). */
export function skillOf(mae: number | null, naiveMae: number | null): number | null {
  return mae !== null && naiveMae !== null && naiveMae > 0 ? 1 - mae / naiveMae : null;
}

/**
 * The metrics of several disjoint sets of pairs (series, horizons, workers) as one: exactly the
 * metrics of all their pairs together. Means are weighted by the pairs behind them (directional
 * accuracy by its direction calls, RMSE through its mean square) and skill is the pooled MAE
 * against the pooled naive MAE, not a mean of ratios: a plain mean would let a worker that
 * scored 3 forecasts count as much as one that scored 3000.
 */
export function poolScores(parts: readonly ScoreMetrics[]): ScoreMetrics {
  const scored = parts.filter((part) => part.n > 0);
  // One part is its own pool, exactly: no rounding from taking its figures apart and back.
  if (scored.length === 1) return { ...scored[0]! };
  const sums: ScoreSums = { n: 0, abs: 0, pct: 0, sq: 0, naive: 0, calls: 0, right: 0 };
  for (const part of scored) {
    sums.n += part.n;
    sums.abs += (part.mae ?? 0) * part.n;
    sums.pct += (part.mape ?? 0) * part.n;
    sums.sq += (part.rmse ?? 0) ** 2 * part.n;
    sums.naive += (part.naiveMae ?? 0) * part.n;
    if (part.directionalAccuracy !== null) {
      sums.calls += part.directionCalls;
      sums.right += part.directionalAccuracy * part.directionCalls;
    }
  }
  return metricsOf(sums);
}

/** Sums over pairs of each per-pair term, and the pairs and direction calls behind them. */
interface ScoreSums {
  n: number;
  abs: number;
  pct: number;
  sq: number;
  naive: number;
  calls: number;
  right: number;
}

/** The metrics of pairs, from their sums: the formulas of ScoreMetrics, written once. */
function metricsOf(sums: ScoreSums): ScoreMetrics {
  const { n, calls } = sums;
  if (n === 0) return { ...NO_SCORES };
  const mae = sums.abs / n;
  const naiveMae = sums.naive / n;
  return {
    n,
    mae,
    mape: sums.pct / n,
    rmse: Math.sqrt(sums.sq / n),
    directionalAccuracy: calls > 0 ? sums.right / calls : null,
    directionCalls: calls,
    naiveMae,
    skill: skillOf(mae, naiveMae),
  };
}

/** Per-pair terms kept by the accumulator, in the order of TERM_COUNT slots. */
const ABS_ERROR = 0;
const PCT_ERROR = 1;
const SQ_ERROR = 2;
const DIRECTION_COUNTED = 3;
const DIRECTION_RIGHT = 4;
const NAIVE_ABS_ERROR = 5;
const TERM_COUNT = 6;

/**
 * Scores (predicted, actual, lastClose) pairs: cumulatively, or over the last `window` pairs for
 * a live scorer. Naive's error (predicting lastClose) is accumulated alongside, so skill needs
 * nothing else. Windowed sums subtract evicted terms and are re-added from scratch once per
 * window so rounding cannot drift.
 */
export class ScoreAccumulator {
  private readonly sums = new Float64Array(TERM_COUNT);
  private readonly terms = new Float64Array(TERM_COUNT);
  private readonly history: RingBuffer[] | undefined;
  private count = 0;
  private added = 0;

  constructor(readonly window?: number) {
    if (window !== undefined) {
      this.history = Array.from({ length: TERM_COUNT }, () => new RingBuffer(window));
    }
  }

  get n(): number {
    return this.count;
  }

  add(predicted: number, actual: number, lastClose: number): void {
    const error = Math.abs(predicted - actual);
    const predictedMove = Math.sign(predicted - lastClose);
    const actualMove = Math.sign(actual - lastClose);
    const counted = predictedMove !== 0 && actualMove !== 0;
    const terms = this.terms;
    terms[ABS_ERROR] = error;
    terms[PCT_ERROR] = error / Math.abs(actual);
    terms[SQ_ERROR] = error * error;
    terms[DIRECTION_COUNTED] = counted ? 1 : 0;
    terms[DIRECTION_RIGHT] = counted && predictedMove === actualMove ? 1 : 0;
    terms[NAIVE_ABS_ERROR] = Math.abs(lastClose - actual);

    this.added++;
    if (!this.history) {
      for (let t = 0; t < TERM_COUNT; t++) this.sums[t] = this.sums[t]! + terms[t]!;
      this.count++;
      return;
    }
    for (let t = 0; t < TERM_COUNT; t++) {
      const evicted = this.history[t]!.push(terms[t]!);
      this.sums[t] = this.sums[t]! + terms[t]! - (Number.isNaN(evicted) ? 0 : evicted);
    }
    this.count = this.history[0]!.size;
    if (this.added % this.history[0]!.capacity === 0) this.resum();
  }

  metrics(): ScoreMetrics {
    const sums = this.sums;
    return metricsOf({
      n: this.count,
      abs: sums[ABS_ERROR]!,
      pct: sums[PCT_ERROR]!,
      sq: sums[SQ_ERROR]!,
      naive: sums[NAIVE_ABS_ERROR]!,
      // Counts summed as floats are whole numbers again once rounded.
      calls: Math.round(sums[DIRECTION_COUNTED]!),
      right: sums[DIRECTION_RIGHT]!,
    });
  }

  /**
   * The window's absolute errors, the model's and naive's, oldest first: the pairs a
   * significance test of `skill` needs. Only a windowed accumulator keeps them.
   */
  lossPairs(): { model: Float64Array; naive: Float64Array } {
    if (!this.history) throw new Error('lossPairs needs a windowed ScoreAccumulator');
    const copy = (values: RingBuffer) =>
      Float64Array.from({ length: values.size }, (_, k) => values.at(k));
    return { model: copy(this.history[ABS_ERROR]!), naive: copy(this.history[NAIVE_ABS_ERROR]!) };
  }

  private resum(): void {
    for (let t = 0; t < TERM_COUNT; t++) {
      const values = this.history![t]!;
      let sum = 0;
      for (let k = 0; k < values.size; k++) sum += values.at(k);
      this.sums[t] = sum;
    }
  }
}
