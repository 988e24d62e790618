/** Linear scales for a small SVG chart: time (ms) → x, price → y (y grows downward). */
export interface Scales {
  x(timeMs: number): number;
  y(price: number): number;
  ticks: { x: number; label: string }[];
  priceTicks: { y: number; label: string }[];
}

export function scales(
  times: readonly number[],
  prices: readonly number[],
  box: { width: number; height: number; left: number; right: number; top: number; bottom: number },
): Scales {
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  let p0 = Math.min(...prices);
  let p1 = Math.max(...prices);
  const pad = (p1 - p0 || Math.abs(p1) * 0.01 || 1) * 0.08;
  p0 -= pad;
  p1 += pad;
  const innerW = box.width - box.left - box.right;
  const innerH = box.height - box.top - box.bottom;
  const x = (t: number) => box.left + ((t - t0) / (t1 - t0 || 1)) * innerW;
  const y = (p: number) => box.top + (1 - (p - p0) / (p1 - p0)) * innerH;
  const ticks = Array.from({ length: 5 }, (_, i) => {
    const t = t0 + ((t1 - t0) * i) / 4;
    const d = new Date(t);
    const label = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    return { x: x(t), label };
  });
  const priceTicks = Array.from({ length: 4 }, (_, i) => {
    const p = p0 + ((p1 - p0) * (i + 0.5)) / 4;
    return { y: y(p), label: p.toPrecision(6) };
  });
  return { x, y, ticks, priceTicks };
}

/** A palette that reads in light and dark themes; models keep their colour across views. */
const PALETTE = ['#d9480f', '#7048e8', '#0c8599', '#e64980', '#5c940d', '#1971c2', '#f08c00'];

export function modelColor(model: string, models: readonly string[]): string {
  const index = [...models].sort().indexOf(model);
  return PALETTE[(index < 0 ? 0 : index) % PALETTE.length]!;
}
