import { formatShare } from './format.ts';

/** What the diagram reads of a model's calibration (the gateway's `calibration`). */
export interface Calibration {
  n: number;
  bins: readonly {
    lower: number;
    upper: number;
    count: number;
    meanConfidence: number | null;
    hitRate: number | null;
  }[];
  ece: number | null;
}

/**
 * Below this many calls a bin's hit rate swings by ±15 points or more on luck alone (binomial
 * standard error at 50 %: √(0.25/10) ≈ 0.16), so it is drawn faint.
 */
export const FEW_CALLS = 10;

export interface DiagramBox {
  size: number;
  pad: number;
}

export interface ReliabilityPoint {
  x: number;
  y: number;
  /** Grows with the bin's share of the calls, so a crowded bin weighs more to the eye. */
  r: number;
  faint: boolean;
  /** For a screen reader and a hover: "says 75%, right 64% (98 calls)". */
  label: string;
}

/** Confidence (x) and hit rate (y), both 0–1, on a square box; y grows downward. */
export function reliabilityScale(box: DiagramBox) {
  const inner = box.size - 2 * box.pad;
  return {
    x: (confidence: number) => box.pad + confidence * inner,
    y: (rate: number) => box.pad + (1 - rate) * inner,
  };
}

/** One point per bin that has calls: its mean confidence against how often it was right. */
export function reliabilityPoints(calibration: Calibration, box: DiagramBox): ReliabilityPoint[] {
  const at = reliabilityScale(box);
  const points: ReliabilityPoint[] = [];
  for (const bin of calibration.bins) {
    if (bin.count === 0 || bin.meanConfidence === null || bin.hitRate === null) continue;
    points.push({
      x: at.x(bin.meanConfidence),
      y: at.y(bin.hitRate),
      r: 2.5 + 4 * Math.sqrt(bin.count / Math.max(1, calibration.n)),
      faint: bin.count < FEW_CALLS,
      label: `says ${formatShare(bin.meanConfidence)}, right ${formatShare(bin.hitRate)} (${bin.count} call${bin.count === 1 ? '' : 's'})`,
    });
  }
  return points;
}

/**
 * The plain reading, taken from the bin with the most calls (the one a user meets most often):
 * "When it says 75%, it is right 64% of the time".
 */
export function calibrationReading(calibration: Calibration): string {
  const busiest = calibration.bins
    .filter((bin) => bin.count > 0 && bin.meanConfidence !== null && bin.hitRate !== null)
    .reduce<Calibration['bins'][number] | null>(
      (best, bin) => (best === null || bin.count > best.count ? bin : best),
      null,
    );
  if (!busiest || calibration.n === 0) return 'No scored directional calls yet.';
  return (
    `When it says ${formatShare(busiest.meanConfidence)}, it is right ${formatShare(busiest.hitRate)} ` +
    `of the time (${busiest.count} of its ${calibration.n} calls).`
  );
}

/** The expected calibration error, in points of confidence, with what it means. */
export function eceReading(ece: number | null): string {
  if (ece === null) return 'Calibration error —: no calls to measure it on.';
  const points = (ece * 100).toFixed(1);
  return `Calibration error (ECE) ${points} points: on average, its stated confidence is that far from how often it is right.`;
}
