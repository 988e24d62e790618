import { RingBuffer } from './ring-buffer.ts';

export interface ScoreMetrics {
  /** Pairs scored. */
  n: number;
  /** Mean |ŷ − y|; null when n = 0. */
  mae: number | null;
  /** 100 · mean(|ŷ − y| / |y|). */
  mape: number | null;
  rmse: number | null;
  /**
   * 100 · share of pairs with sign(ŷ − last) = sign(y − last), over pairs where neither side is
   * flat; null when there are none (e.g. always for naive).
   */
  directionalAccuracy: number | null;
  /** 1 − mae / mae(naive) over the same pairs; null when naive's mae is 0 or n = 0. */
  skill: number | null;
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
    const n = this.count;
    if (n === 0) {
      return { n, mae: null, mape: null, rmse: null, directionalAccuracy: null, skill: null };
    }
    const mae = this.sums[ABS_ERROR]! / n;
    const naiveMae = this.sums[NAIVE_ABS_ERROR]! / n;
    const counted = this.sums[DIRECTION_COUNTED]!;
    return {
      n,
      mae,
      mape: (100 * this.sums[PCT_ERROR]!) / n,
      rmse: Math.sqrt(this.sums[SQ_ERROR]! / n),
      directionalAccuracy: counted > 0 ? (100 * this.sums[DIRECTION_RIGHT]!) / counted : null,
      skill: naiveMae > 0 ? 1 - mae / naiveMae : null,
    };
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
