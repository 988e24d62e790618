import { describe, expect, it } from 'vitest';
import { SIGNAL_RULE, signalFor, type Forecast } from '../src/index.ts';

function forecast(point: number, confidence: number, last = 100): Forecast {
  const direction = point > last ? 'up' : point < last ? 'down' : 'flat';
  return {
    kind: 'forecast',
    horizon: 1,
    last,
    point,
    lower: point - 1,
    upper: point + 1,
    coverage: 0.8,
    direction,
    confidence,
    rawConfidence: confidence,
  };
}

describe('signalFor', () => {
  it('defaults to a 0.2% threshold and 0.7 minimum confidence', () => {
    expect(SIGNAL_RULE.parse({})).toEqual({ threshold: 0.002, minConfidence: 0.7 });
  });

  it('buys an expected rise past the threshold with enough confidence', () => {
    expect(signalFor(forecast(101, 0.8))).toBe('BUY');
    expect(signalFor(forecast(100.3, 0.7))).toBe('BUY'); // confidence exactly at the bar acts
  });

  it('sells the mirror image', () => {
    expect(signalFor(forecast(99, 0.8))).toBe('SELL');
  });

  it('holds below the threshold, below the confidence, or on a flat forecast', () => {
    expect(signalFor(forecast(100.1, 0.9))).toBe('HOLD'); // +0.1% < 0.2%
    expect(signalFor(forecast(99.9, 0.9))).toBe('HOLD');
    expect(signalFor(forecast(105, 0.69))).toBe('HOLD');
    expect(signalFor(forecast(100, 1), { threshold: 0 })).toBe('HOLD');
  });

  it('takes a configurable threshold and minimum confidence', () => {
    expect(signalFor(forecast(101, 0.8), { threshold: 0.02 })).toBe('HOLD');
    expect(signalFor(forecast(101, 0.8), { threshold: 0.01 })).toBe('BUY'); // move = threshold
    expect(signalFor(forecast(101, 0.55), { minConfidence: 0.5 })).toBe('BUY');
    expect(signalFor(forecast(98, 0.55), { minConfidence: 0.5, threshold: 0.02 })).toBe('SELL');
  });

  it('rejects an out-of-range rule', () => {
    expect(() => signalFor(forecast(101, 0.8), { threshold: -0.1 })).toThrow();
    expect(() => signalFor(forecast(101, 0.8), { minConfidence: 1.5 })).toThrow();
  });
});
