import { otherYear } from './format.ts';

/** Linear scales for a small SVG chart: time (ms) → x, price → y (y grows downward). */
export interface Scales {
  x(timeMs: number): number;
  y(price: number): number;
  /** Time labels; the outer two are anchored inside the chart so they are never clipped. */
  ticks: { x: number; label: string; anchor: 'start' | 'middle' | 'end' }[];
  /** Price labels at round values (…, 600, 625, 650, …). */
  priceTicks: { y: number; label: string }[];
}

/** A drawn chart's size and margins, in pixels: the plot lies inside the margins. */
export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Narrower than this (a phone), a chart is drawn shorter and with fewer time labels. */
const NARROW_WIDTH = 520;

/**
 * How a chart is drawn at the width it is shown, one unit a pixel, so its labels stay readable
 * on a phone: its box (`heights` wide and narrow, `right` pixels kept for the value labels) and
 * how many time labels fit.
 */
export function chartFrame(
  width: number,
  heights: { wide: number; narrow: number },
  right: number,
): { box: ChartBox; timeLabels: number } {
  const narrow = width < NARROW_WIDTH;
  return {
    box: {
      width: Math.max(280, width),
      height: narrow ? heights.narrow : heights.wide,
      left: 8,
      right,
      top: 12,
      bottom: 24,
    },
    timeLabels: narrow ? 3 : 5,
  };
}

const DAY_MS = 86_400_000;
/** Room right of the newest forecast for the consensus marker, clear of the price labels. */
const MARKER_ROOM = 16;

/** A round step near `rough`: 1, 2, 2.5 or 5 times a power of ten. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= rough)!;
  return step * power;
}

/**
 * A price with as many decimals as the step between labels has (0.05 → 2), so that two labels
 * never read the same however narrow the range.
 */
function priceLabel(price: number, step: number): string {
  const decimals = step.toFixed(12).replace(/0+$/, '').split('.')[1]?.length ?? 0;
  // The label at zero (an axis of returns has one) comes out of the loop as −0: "-0" reads wrong.
  return (price === 0 ? 0 : price).toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/**
 * Hours alone within a day; with the date too once the chart spans several, or its time is
 * not this year's (a replay's), with the year too.
 */
function timeLabel(timeMs: number, spanMs: number): string {
  const dated = spanMs > DAY_MS || otherYear(timeMs);
  return new Date(timeMs).toLocaleString('en-GB', {
    ...(otherYear(timeMs) ? { year: 'numeric' } : {}),
    ...(dated ? { day: 'numeric', month: 'short' } : {}),
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
  });
}

export function scales(
  times: readonly number[],
  prices: readonly number[],
  box: ChartBox,
  timeLabels = 5,
): Scales {
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  let p0 = Math.min(...prices);
  let p1 = Math.max(...prices);
  const pad = (p1 - p0 || Math.abs(p1) * 0.01 || 1) * 0.08;
  p0 -= pad;
  p1 += pad;
  const innerW = box.width - box.left - box.right - MARKER_ROOM;
  const innerH = box.height - box.top - box.bottom;
  const x = (t: number) => box.left + ((t - t0) / (t1 - t0 || 1)) * innerW;
  const y = (p: number) => box.top + (1 - (p - p0) / (p1 - p0)) * innerH;
  const last = timeLabels - 1;
  const ticks = Array.from({ length: timeLabels }, (_, i) => {
    const t = t0 + ((t1 - t0) * i) / last;
    const anchor = i === 0 ? 'start' : i === last ? 'end' : 'middle';
    return { x: x(t), label: timeLabel(t, t1 - t0), anchor } as const;
  });
  const step = niceStep((p1 - p0) / 6);
  const priceTicks: Scales['priceTicks'] = [];
  for (let p = Math.ceil(p0 / step) * step; p <= p1; p += step) {
    priceTicks.push({ y: y(p), label: priceLabel(p, step) });
  }
  return { x, y, ticks, priceTicks };
}

/** An SVG path through `points` ([time ms, value], oldest first) drawn on `s`. */
export function linePath(points: readonly (readonly [number, number])[], s: Scales): string {
  if (points.length < 2) return '';
  return points
    .map(([t, v], i) => `${i ? 'L' : 'M'}${s.x(t).toFixed(1)},${s.y(v).toFixed(1)}`)
    .join(' ');
}

/** A palette that reads in light and dark themes; models keep their colour across views. */
const PALETTE = ['#d9480f', '#7048e8', '#0c8599', '#e64980', '#5c940d', '#1971c2', '#f08c00'];

export function modelColor(model: string, models: readonly string[]): string {
  const index = [...models].sort().indexOf(model);
  return PALETTE[(index < 0 ? 0 : index) % PALETTE.length]!;
}
