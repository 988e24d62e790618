import type { PointModel } from '../point-model.ts';
import { RingBuffer } from '../ring-buffer.ts';

/** Extrapolates the average per-bar change over the window: ŷ = c[i] + h·(c[i] − c[i−W]) / W. */
export function createMomentum({ window }: { window: number }, horizon: number): PointModel {
  const closes = new RingBuffer(window + 1);
  return {
    lookback: window + 1,
    push(close) {
      closes.push(close);
    },
    predict() {
      const last = closes.fromEnd(0);
      return last + (horizon * (last - closes.fromEnd(window))) / window;
    },
  };
}
