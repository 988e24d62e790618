import { describe, expect, it } from 'vitest';
import { DM_MIN_PAIRS, SKILL_VERDICT_TEXT, dieboldMariano } from '../src/index.ts';
import { seededNormal } from './random.ts';

/**
 * A hand-worked example, so the test does not reuse the code's own arithmetic. Loss differences
 * d = model − naive, n = 10:
 *   d = −2, 0, −1, −3, 1, −2, −1, 0, −2, −1;  mean = −1.1
 *   deviations: −0.9, 1.1, 0.1, −1.9, 2.1, −0.9, 0.1, 1.1, −0.9, 0.1
 *   γ0 = Σ dev² / n = 12.9 / 10 = 1.29
 *   γ1 = Σ dev_t·dev_{t−1} / n = −8.01 / 10 = −0.801
 * h = 1: DM = −1.1 / √(1.29/10) = −3.062653; HLN factor √((10 + 1 − 2)/10) = √0.9
 *        → −2.905488. Student t, 9 df (table): t(0.99) = 2.821, t(0.995) = 3.250, so the
 *        two-sided p lies in (0.01, 0.02).
 * h = 2: LRV = γ0 + 2·(1/2)·γ1 = 0.489; DM = −1.1 / √0.0489 = −4.974372; HLN factor
 *        √((10 + 1 − 4 + 2·1/10)/10) = √0.72 → −4.220895. t(0.9975, 9 df) = 3.690 and
 *        t(0.999, 9 df) = 4.297, so the two-sided p lies in (0.002, 0.005).
 */
const d = [-2, 0, -1, -3, 1, -2, -1, 0, -2, -1];
const naive = d.map((_, t) => 5 + (t % 3));
const model = d.map((value, t) => naive[t]! + value);

describe('dieboldMariano', () => {
  it('matches a hand-worked one-step example and the t table', () => {
    const result = dieboldMariano(model, naive, 1);
    expect(result.n).toBe(10);
    expect(result.meanLossDifference).toBeCloseTo(-1.1, 12);
    expect(result.statistic).toBeCloseTo(-2.905488, 5);
    expect(result.pValue).toBeGreaterThan(0.01);
    expect(result.pValue).toBeLessThan(0.02);
    expect(result.verdict).toBe('beats-naive');
    expect(dieboldMariano(model, naive, 1, 0.01).verdict).toBe('no-detectable-difference');
  });

  it('matches a hand-worked two-step example (Bartlett weight 1/2 at lag 1)', () => {
    const result = dieboldMariano(model, naive, 2);
    expect(result.statistic).toBeCloseTo(-4.220895, 5);
    expect(result.pValue).toBeGreaterThan(0.002);
    expect(result.pValue).toBeLessThan(0.005);
  });

  it('reads the same forecasts as no difference', () => {
    const losses = Array.from({ length: 200 }, (_, t) => Math.abs(Math.sin(t)));
    const result = dieboldMariano(losses, losses, 6);
    expect(result).toMatchObject({ meanLossDifference: 0, statistic: 0, pValue: 1 });
    expect(result.verdict).toBe('no-detectable-difference');
    expect(SKILL_VERDICT_TEXT[result.verdict]).toBe('no detectable difference');
  });

  it('finds a clearly better model, and the mirror image worse', () => {
    const normal = seededNormal(7);
    const naiveLoss = Array.from({ length: 2000 }, () => Math.abs(normal()));
    const modelLoss = naiveLoss.map((loss) => 0.8 * loss + 0.05 * Math.abs(normal()));
    const better = dieboldMariano(modelLoss, naiveLoss, 6);
    expect(better.verdict).toBe('beats-naive');
    expect(better.statistic).toBeLessThan(0);
    expect(better.pValue).toBeLessThan(0.001);
    const worse = dieboldMariano(naiveLoss, modelLoss, 6);
    expect(worse.verdict).toBe('worse-than-naive');
    expect(worse.statistic).toBeCloseTo(-better.statistic!, 12);
    expect(worse.pValue).toBeCloseTo(better.pValue!, 12);
  });

  it('does not call noise a difference', () => {
    const normal = seededNormal(11);
    const naiveLoss = Array.from({ length: 3000 }, () => Math.abs(normal()));
    const modelLoss = Array.from({ length: 3000 }, () => Math.abs(normal()));
    expect(dieboldMariano(modelLoss, naiveLoss, 1).verdict).toBe('no-detectable-difference');
  });

  it('a constant advantage is certain', () => {
    const naiveLoss = Array.from({ length: 50 }, (_, t) => 1 + t);
    const result = dieboldMariano(
      naiveLoss.map((loss) => loss - 0.5),
      naiveLoss,
      1,
    );
    expect(result).toMatchObject({ pValue: 0, verdict: 'beats-naive', statistic: null });
  });

  it('says too few pairs rather than testing on almost nothing', () => {
    const few = Array.from({ length: DM_MIN_PAIRS - 1 }, (_, t) => t);
    expect(
      dieboldMariano(
        few,
        few.map((x) => x + 1),
        1,
      ),
    ).toMatchObject({
      n: DM_MIN_PAIRS - 1,
      statistic: null,
      pValue: null,
      verdict: 'too-few-pairs',
    });
    const eleven = Array.from({ length: 11 }, (_, t) => t);
    expect(
      dieboldMariano(
        eleven,
        eleven.map((x) => x + 1),
        6,
      ).verdict,
    ).toBe('too-few-pairs');
    expect(dieboldMariano([], [], 1)).toMatchObject({ n: 0, meanLossDifference: null });
  });

  it('names the bad argument', () => {
    expect(() => dieboldMariano([1, 2], [1], 1)).toThrow(/naiveLoss/);
    expect(() => dieboldMariano([1], [1], 0)).toThrow(/horizonSteps/);
    expect(() => dieboldMariano([1], [1], 1, 1.5)).toThrow(/alpha/);
    expect(() => dieboldMariano([1, Number.NaN], [1, 2], 1)).toThrow(/modelLoss\[1\]/);
  });
});
