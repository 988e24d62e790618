import { requireCount, requireSameLength } from './arguments.ts';

export interface ReliabilityBin {
  /** Confidence range [lower, upper); the last bin includes 1. */
  lower: number;
  upper: number;
  count: number;
  /** Mean stated confidence of the calls in the bin; null when empty. */
  meanConfidence: number | null;
  /** Share of the bin's calls that came true; null when empty. */
  hitRate: number | null;
}

export interface Reliability {
  n: number;
  bins: ReliabilityBin[];
  /** Expected calibration error Σ count/n · |hitRate − meanConfidence|; null when n = 0. */
  ece: number | null;
}

export const RELIABILITY_BINS = 10;

/**
 * Reliability diagram data: calls grouped by stated confidence into equal-width bins, each bin's
 * mean confidence beside how often its calls came true. A calibrated model's points lie on the
 * diagonal, and its ECE is near 0.
 *
 * confidences in [0, 1]; outcomes: 1 when the called direction came true, 0 when not. Calls with
 * confidence 0 (no direction) are excluded by the caller.
 */
export function reliability(
  confidences: ArrayLike<number>,
  outcomes: ArrayLike<number>,
  binCount = RELIABILITY_BINS,
): Reliability {
  const n = confidences.length;
  requireSameLength('outcomes', outcomes, 'confidences', confidences);
  requireCount('binCount', binCount);
  const counts = new Float64Array(binCount);
  const confidenceSums = new Float64Array(binCount);
  const hits = new Float64Array(binCount);
  for (let i = 0; i < n; i++) {
    const confidence = confidences[i]!;
    const outcome = outcomes[i]!;
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new RangeError(`confidences[${i}] must be in [0, 1], got ${confidence}`);
    }
    if (outcome !== 0 && outcome !== 1) {
      throw new RangeError(`outcomes[${i}] must be 0 or 1, got ${outcome}`);
    }
    const bin = Math.min(binCount - 1, Math.floor(confidence * binCount));
    counts[bin]!++;
    confidenceSums[bin]! += confidence;
    hits[bin]! += outcome;
  }
  let ece = 0;
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < binCount; b++) {
    const count = counts[b]!;
    const meanConfidence = count > 0 ? confidenceSums[b]! / count : null;
    const hitRate = count > 0 ? hits[b]! / count : null;
    if (count > 0) ece += (count / n) * Math.abs(hitRate! - meanConfidence!);
    bins.push({ lower: b / binCount, upper: (b + 1) / binCount, count, meanConfidence, hitRate });
  }
  return { n, bins, ece: n > 0 ? ece : null };
}
