import { describe, expect, it } from 'vitest';
import { NO_SCORES, poolScores, ScoreAccumulator } from '../src/index.ts';

/** (predicted, actual, lastClose) pairs with hand-checked terms: */
const pairs: [number, number, number][] = [
  [11, 10, 10], // |e| 1, 10%, actual flat → no direction; naive |e| 0
  [9, 8, 10], //   |e| 1, 12.5%, both down → right;       naive |e| 2
  [12, 8, 10], //  |e| 4, 50%, up vs down → wrong;        naive |e| 2
  [10, 12, 10], // |e| 2, 16.67%, prediction flat → none; naive |e| 2
];

function accumulate(accumulator: ScoreAccumulator): ScoreAccumulator {
  for (const [predicted, actual, last] of pairs) accumulator.add(predicted, actual, last);
  return accumulator;
}

describe('ScoreAccumulator', () => {
  it('computes n, MAE, MAPE, RMSE, directional accuracy and skill', () => {
    const metrics = accumulate(new ScoreAccumulator()).metrics();
    expect(metrics.n).toBe(4);
    expect(metrics.mae).toBeCloseTo(2, 12);
    expect(metrics.mape).toBeCloseTo((0.1 + 0.125 + 0.5 + 1 / 6) / 4, 12);
    expect(metrics.rmse).toBeCloseTo(Math.sqrt(22 / 4), 12);
    expect(metrics.directionalAccuracy).toBeCloseTo(0.5, 12);
    expect(metrics.directionCalls).toBe(2);
    expect(metrics.naiveMae).toBeCloseTo(1.5, 12);
    expect(metrics.skill).toBeCloseTo(1 - 2 / 1.5, 12);
  });

  it('over a trailing window scores only the last pairs', () => {
    const metrics = accumulate(new ScoreAccumulator(2)).metrics();
    expect(metrics.n).toBe(2);
    expect(metrics.mae).toBeCloseTo(3, 12);
    expect(metrics.mape).toBeCloseTo((0.5 + 1 / 6) / 2, 12);
    expect(metrics.rmse).toBeCloseTo(Math.sqrt(10), 12);
    expect(metrics.directionalAccuracy).toBe(0);
    expect(metrics.skill).toBeCloseTo(1 - 3 / 2, 12);
  });

  it('stays exact over many window wraps', () => {
    const windowed = new ScoreAccumulator(3);
    for (let i = 0; i < 10_000; i++) windowed.add(1e6 + (i % 7), 1e6 + (i % 5), 1e6);
    const fresh = new ScoreAccumulator();
    for (let i = 9_997; i < 10_000; i++) fresh.add(1e6 + (i % 7), 1e6 + (i % 5), 1e6);
    expect(windowed.metrics()).toEqual(fresh.metrics());
  });

  it('is null, not NaN, without pairs or without directional calls', () => {
    expect(new ScoreAccumulator().metrics()).toEqual({
      n: 0,
      mae: null,
      mape: null,
      rmse: null,
      directionalAccuracy: null,
      directionCalls: 0,
      naiveMae: null,
      skill: null,
    });
    const naive = new ScoreAccumulator();
    naive.add(10, 11, 10);
    expect(naive.metrics()).toMatchObject({ directionalAccuracy: null, skill: 0 });
    const perfectNaive = new ScoreAccumulator();
    perfectNaive.add(11, 10, 10);
    expect(perfectNaive.metrics().skill).toBeNull();
  });

  it('hands out the window’s loss pairs, oldest first, for a significance test', () => {
    const windowed = new ScoreAccumulator(3);
    // (predicted, actual, last): |ŷ − y| and naive's |last − y|.
    windowed.add(11, 10, 12); // 1, 2: evicted by the fourth
    windowed.add(10, 13, 10); // 3, 3
    windowed.add(9, 9, 5); // 0, 4
    windowed.add(20, 15, 14); // 5, 1
    const pairs = windowed.lossPairs();
    expect(Array.from(pairs.model)).toEqual([3, 0, 5]);
    expect(Array.from(pairs.naive)).toEqual([3, 4, 1]);
    expect(() => new ScoreAccumulator().lossPairs()).toThrow(/windowed/);
  });
});

describe('poolScores', () => {
  /** A deterministic stream of (predicted, actual, last) triples with flat moves among them. */
  function triple(i: number): [number, number, number] {
    const last = 100 + (i % 11);
    return [last + ((i * 7) % 5) - 2, last + ((i * 3) % 7) - 3, last];
  }

  it('gives exactly the metrics of all the pairs together', () => {
    const whole = new ScoreAccumulator();
    // Parts of very different sizes: a plain mean of their figures would be far off.
    const parts = [3, 400, 17].map(() => new ScoreAccumulator());
    let i = 0;
    for (const [p, size] of [3, 400, 17].entries()) {
      for (let k = 0; k < size; k++, i++) {
        parts[p]!.add(...triple(i));
        whole.add(...triple(i));
      }
    }
    const pooled = poolScores(parts.map((part) => part.metrics()));
    const expected = whole.metrics();
    expect(pooled.n).toBe(expected.n);
    expect(pooled.directionCalls).toBe(expected.directionCalls);
    for (const key of [
      'mae',
      'mape',
      'rmse',
      'directionalAccuracy',
      'naiveMae',
      'skill',
    ] as const) {
      expect(pooled[key], key).toBeCloseTo(expected[key]!, 12);
    }
  });

  it('weighs each part by its pairs, not equally', () => {
    const good = new ScoreAccumulator();
    for (let k = 0; k < 9; k++) good.add(11, 12, 10); // right direction every time
    const bad = new ScoreAccumulator();
    bad.add(9, 12, 10); // wrong once
    const pooled = poolScores([good.metrics(), bad.metrics()]);
    expect(pooled.directionalAccuracy).toBeCloseTo(0.9, 12);
    expect(pooled.n).toBe(10);
  });

  it('ignores empty parts and is empty without pairs', () => {
    expect(poolScores([])).toEqual(NO_SCORES);
    expect(poolScores([NO_SCORES, NO_SCORES])).toEqual(NO_SCORES);
    const one = new ScoreAccumulator();
    one.add(11, 12, 10);
    expect(poolScores([NO_SCORES, one.metrics()])).toEqual(one.metrics());
  });

  it('keeps directional accuracy null when no part made a call, and skill null at zero error', () => {
    const flat = new ScoreAccumulator();
    flat.add(10, 10, 10); // no error, nothing to beat, no direction
    const pooled = poolScores([flat.metrics(), flat.metrics()]);
    expect(pooled).toMatchObject({ n: 2, mae: 0, directionalAccuracy: null, skill: null });
  });
});
