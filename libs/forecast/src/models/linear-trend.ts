import type { PointModel } from '../point-model.ts';
import { RingBuffer } from '../ring-buffer.ts';

/**
 * Least-squares line through the last `window` closes against x = 0..W−1, evaluated at
 * x = W − 1 + horizon.
 */
export function createLinearTrend({ window }: { window: number }, horizon: number): PointModel {
  const closes = new RingBuffer(window);
  const xMean = (window - 1) / 2;
  // Σ(x − x̄)² over 0..W−1 has a closed form; centring x keeps the sums small and exact.
  const sxx = (window * (window * window - 1)) / 12;
  return {
    lookback: window,
    push(close) {
      closes.push(close);
    },
    predict() {
      let sum = 0;
      let sxy = 0;
      for (let x = 0; x < window; x++) {
        const y = closes.at(x);
        sum += y;
        sxy += (x - xMean) * y;
      }
      const slope = sxy / sxx;
      return sum / window + slope * (window - 1 + horizon - xMean);
    },
  };
}
