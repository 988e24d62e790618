/** An SVG polyline path through `values`, scaled into a width × height box (y grows down). */
export function sparklinePath(values: readonly number[], width: number, height: number): string {
  if (values.length < 2) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const step = width / (values.length - 1);
  return values
    .map((value, i) => {
      const x = i * step;
      const y = height - ((value - min) / span) * height;
      return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/**
 * The time buckets of the gateway's sparklines: `points` buckets spanning `hours`, binned from
 * the moment the snapshot was asked for, so the snapshot's last bucket ends at `endMs` and the
 * first live one starts there.
 */
export interface TraceGrid {
  hours: number;
  points: number;
  endMs: number;
  bucketMs: number;
}

export function traceGrid(askedAtMs: number, hours = 24, points = 48): TraceGrid {
  return { hours, points, endMs: askedAtMs, bucketMs: (hours * 3_600_000) / points };
}

/** The bucket a time falls in: the snapshot's last is -1, the first live one 0. */
export function bucketOf(grid: TraceGrid, timeMs: number): number {
  return Math.floor((timeMs - grid.endMs) / grid.bucketMs);
}

/**
 * A live price folded into a trace whose newest point lies in bucket `lastBucket`, the way the
 * gateway bins ticks: a bucket shows its last price, so a tick in the same bucket replaces the
 * newest point, and one in a later bucket appends a point while those the window has moved past
 * drop out. The gateway's trace carries no times: its points are taken as consecutive buckets,
 * which is exact unless the market went quiet for a whole bucket (then they drop a little late).
 */
export function foldIntoTrace(
  trace: readonly number[],
  lastBucket: number,
  price: number,
  bucket: number,
  points: number,
): number[] {
  if (bucket <= lastBucket) return [...trace.slice(0, -1), price];
  const stillInWindow = Math.max(0, points - (bucket - lastBucket));
  return [...trace.slice(trace.length - Math.min(stillInWindow, trace.length)), price];
}
