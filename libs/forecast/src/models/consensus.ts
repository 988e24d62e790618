import type { PointModel } from '../point-model.ts';
import { RingBuffer } from '../ring-buffer.ts';

/** Fixed weights (any non-negative numbers; normalised) or inverse trailing MAE per member. */
export type ConsensusWeighting =
  { kind: 'static'; weights: readonly number[] } | { kind: 'inverseMae'; errorWindow: number };

/**
 * Weighted mean of member forecasts for the same horizon.
 *
 * With inverse-MAE weighting, each member's forecast made `horizon` bars ago is scored against
 * the close that has just arrived; weights are 1 / (mean absolute error over the last
 * `errorWindow` scored forecasts). Until a member has been scored once, all members weigh the
 * same, so the consensus never depends on outcomes it could not have seen yet.
 */
export function createConsensus(
  members: readonly PointModel[],
  weighting: ConsensusWeighting,
  horizon: number,
): PointModel {
  if (members.length === 0) throw new RangeError('consensus needs at least one member');
  const lookback = Math.max(...members.map((member) => member.lookback));
  const predictions = new Float64Array(members.length);
  const weights = new Float64Array(members.length);

  if (weighting.kind === 'static') {
    if (weighting.weights.length !== members.length) {
      throw new RangeError(
        `consensus has ${members.length} members but ${weighting.weights.length} weights`,
      );
    }
    const total = weighting.weights.reduce((sum, weight) => sum + weight, 0);
    if (!(total > 0) || weighting.weights.some((weight) => weight < 0)) {
      throw new RangeError('consensus weights must be non-negative with a positive sum');
    }
    weighting.weights.forEach((weight, k) => (weights[k] = weight / total));
  } else {
    weights.fill(1 / members.length);
  }
  const tracker =
    weighting.kind === 'inverseMae'
      ? new ErrorTracker(members.length, weighting.errorWindow, horizon)
      : undefined;
  let pushed = 0;

  return {
    lookback,
    push(close) {
      pushed++;
      tracker?.score(close, weights);
      for (let k = 0; k < members.length; k++) {
        members[k]!.push(close);
        predictions[k] = pushed >= members[k]!.lookback ? members[k]!.predict() : Number.NaN;
      }
      tracker?.remember(predictions);
    },
    predict() {
      let sum = 0;
      for (let k = 0; k < members.length; k++) sum += weights[k]! * predictions[k]!;
      return sum;
    },
  };
}

/** Trailing absolute errors of each member, scored `horizon` bars after each forecast. */
class ErrorTracker {
  /** pending[slot * members + k]: member k's forecast made when the slot was last written. */
  private readonly pending: Float64Array;
  private readonly errors: RingBuffer[];
  private readonly errorSums: Float64Array;
  private pushed = 0;

  constructor(
    private readonly members: number,
    errorWindow: number,
    private readonly horizon: number,
  ) {
    this.pending = new Float64Array(horizon * members).fill(Number.NaN);
    this.errors = Array.from({ length: members }, () => new RingBuffer(errorWindow));
    this.errorSums = new Float64Array(members);
  }

  /** Scores the forecasts made `horizon` bars before `close` and refreshes `weights`. */
  score(close: number, weights: Float64Array): void {
    const slot = this.pushed % this.horizon;
    let scoredAll = true;
    for (let k = 0; k < this.members; k++) {
      const forecast = this.pending[slot * this.members + k]!;
      const errors = this.errors[k]!;
      if (!Number.isNaN(forecast)) {
        const evicted = errors.push(Math.abs(forecast - close));
        this.errorSums[k] = this.errorSums[k]! + Math.abs(forecast - close);
        if (!Number.isNaN(evicted)) this.errorSums[k] = this.errorSums[k]! - evicted;
        // Re-add from scratch once per window so subtracting evicted errors cannot drift.
        if (errors.full && this.pushed % errors.capacity === 0) this.resum(k);
      }
      if (errors.size === 0) scoredAll = false;
    }
    if (!scoredAll) return;
    let total = 0;
    for (let k = 0; k < this.members; k++) {
      const mae = this.errorSums[k]! / this.errors[k]!.size;
      // A member with zero recent error would take all the weight; the floor keeps it finite.
      weights[k] = 1 / Math.max(mae, close * 1e-12);
      total += weights[k]!;
    }
    for (let k = 0; k < this.members; k++) weights[k] = weights[k]! / total;
  }

  /** Stores this bar's member forecasts until their outcome arrives. */
  remember(predictions: Float64Array): void {
    const slot = this.pushed % this.horizon;
    for (let k = 0; k < this.members; k++) this.pending[slot * this.members + k] = predictions[k]!;
    this.pushed++;
  }

  private resum(k: number): void {
    const errors = this.errors[k]!;
    let sum = 0;
    for (let j = 0; j < errors.size; j++) sum += errors.at(j);
    this.errorSums[k] = sum;
  }
}
