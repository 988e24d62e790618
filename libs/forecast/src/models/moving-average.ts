import type { PointModel } from '../point-model.ts';
import { RingBuffer } from '../ring-buffer.ts';

/** ŷ = mean of the last `window` closes, whatever the horizon. */
export function createMovingAverage({ window }: { window: number }): PointModel {
  const closes = new RingBuffer(window);
  return {
    lookback: window,
    push(close) {
      closes.push(close);
    },
    predict() {
      // Summed afresh (O(window)) rather than kept as a running sum, so no rounding drifts in.
      let sum = 0;
      for (let k = 0; k < closes.size; k++) sum += closes.at(k);
      return sum / closes.size;
    },
  };
}
