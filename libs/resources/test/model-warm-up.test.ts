import { Forecaster } from '@cryptoviz/forecast';
import { describe, expect, it } from 'vitest';
import { predictionModelSpecSchema } from '../src/index.ts';
import { toModelSpec, warmUpBars } from '../src/model-warm-up.ts';

const spec = (input: Record<string, unknown>) =>
  predictionModelSpecSchema.parse({ symbols: ['BTC'], ...input });

describe('a model warm-up', () => {
  it('is what the forecaster needs at the longest horizon, in bars of the interval', () => {
    const model = spec({
      algorithm: 'movingAverage',
      params: { window: 48 },
      horizons: ['1h', '6h'],
    });
    expect(warmUpBars(model)).toBe(Forecaster.fromSpec('movingAverage:window=48', 6).needed);
    // 48 closes for the mean, 6 bars to score the first, 24 residuals before an interval.
    expect(warmUpBars(model)).toBe(48 + 6 + 24 - 1);
    // The same horizons on 15-minute bars are four times as many bars ahead.
    expect(warmUpBars({ ...model, interval: '15m' })).toBe(48 + 24 + 24 - 1);
  });

  it('follows the slowest member of a consensus', () => {
    const consensus = spec({
      algorithm: 'consensus',
      horizons: ['1h'],
      members: [{ algorithm: 'naive' }, { algorithm: 'linearTrend', params: { window: 100 } }],
    });
    expect(toModelSpec(consensus).text).toBe(
      'consensus:members=naive+linearTrend(window=100),weights=inverseMae',
    );
    expect(warmUpBars(consensus)).toBe(100 + 1 + 24 - 1);
  });

  it('builds a consensus from its member objects, not from text parsed back', () => {
    const consensus = spec({
      algorithm: 'consensus',
      horizons: ['1h'],
      members: [
        // A weight the spec language cannot write (1e-7): valid in the resource, so it works.
        { algorithm: 'ridge', params: { lambda: 0.5 }, weight: 0.0000001 },
        { algorithm: 'holt', params: { alpha: 0.5 }, weight: 1 },
      ],
    });
    const model = toModelSpec(consensus);
    if (model.name !== 'consensus') throw new Error('expected a consensus');
    expect(model.plan.weighting).toEqual({ kind: 'static', weights: [0.0000001, 1] });
    expect(model.plan.members.map((member) => [member.name, member.params])).toEqual([
      ['ridge', { lags: 2, trainWindow: 0, lambda: 0.5 }],
      ['holt', { alpha: 0.5, beta: 0.1, damping: 1 }],
    ]);
    expect(warmUpBars(consensus)).toBeGreaterThan(0);
  });
});
