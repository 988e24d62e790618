import { describe, expect, it } from 'vitest';
import { reliability } from '../src/index.ts';

describe('reliability', () => {
  it('bins calls by confidence and weighs each bin’s gap by its share of calls', () => {
    // Bin [0.5, 0.6): 0.55 ×4, 2 right → gap |0.5 − 0.55| = 0.05, weight 4/6.
    // Bin [0.9, 1]: 0.9 and 1.0, both right → gap |1 − 0.95| = 0.05, weight 2/6.
    const result = reliability([0.55, 0.55, 0.55, 0.55, 0.9, 1], [1, 0, 1, 0, 1, 1]);
    expect(result.n).toBe(6);
    expect(result.bins).toHaveLength(10);
    expect(result.bins[5]).toMatchObject({ lower: 0.5, upper: 0.6, count: 4, hitRate: 0.5 });
    expect(result.bins[5]!.meanConfidence).toBeCloseTo(0.55, 12);
    expect(result.bins[9]).toMatchObject({ count: 2, hitRate: 1, meanConfidence: 0.95 });
    expect(result.bins[0]).toMatchObject({ count: 0, hitRate: null, meanConfidence: null });
    expect(result.ece).toBeCloseTo((4 / 6) * 0.05 + (2 / 6) * 0.05, 12);
  });

  it('is 0 for calls that come true exactly as often as stated', () => {
    const confidences = [...Array<number>(10).fill(0.7), ...Array<number>(4).fill(0.5)];
    const outcomes = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0];
    expect(reliability(confidences, outcomes).ece).toBeCloseTo(0, 12);
  });

  it('has no ECE without calls, and takes other bin counts', () => {
    expect(reliability([], [])).toMatchObject({ n: 0, ece: null });
    expect(reliability([0.2, 0.8], [0, 1], 2).bins.map((bin) => bin.count)).toEqual([1, 1]);
  });

  it('names the bad argument', () => {
    expect(() => reliability([0.5], [])).toThrow(/outcomes/);
    expect(() => reliability([1.5], [1])).toThrow(/confidences\[0\]/);
    expect(() => reliability([0.5], [0.5])).toThrow(/outcomes\[0\]/);
    expect(() => reliability([0.5], [1], 0)).toThrow(/binCount/);
  });
});
