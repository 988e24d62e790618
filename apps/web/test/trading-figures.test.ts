import { describe, expect, it } from 'vitest';
import { dieboldMariano } from '@cryptoviz/forecast';
import { formatPValue, formatShare } from '../src/lib/format.ts';
import {
  calibrationReading,
  eceReading,
  FEW_CALLS,
  reliabilityPoints,
  type Calibration,
} from '../src/lib/reliability-diagram.ts';
import { verdict } from '../src/lib/scorecard.ts';
import {
  coinFlipReading,
  equityChart,
  feeRateFrom,
  figureRows,
  isEmptyStrategy,
  strategyReading,
  type StrategyView,
} from '../src/lib/strategy.ts';

/** A deterministic wobble in [-1, 1], so losses vary without a random source. */
const wobble = (i: number) => Math.sin(i * 12.9898) * 0.999;

/** Absolute errors of a model and of naive over the same `n` forecasts; `edge` scales the model's. */
function losses(n: number, edge: number): { model: number[]; naive: number[] } {
  const naive = Array.from({ length: n }, (_, i) => 10 + 5 * wobble(i));
  const model = naive.map((loss, i) => loss * edge + 2 * wobble(i + 1000));
  return { model, naive };
}

const skillOf = ({ model, naive }: { model: number[]; naive: number[] }) =>
  1 - model.reduce((a, b) => a + b, 0) / naive.reduce((a, b) => a + b, 0);

describe('scorecard verdict from the Diebold–Mariano test', () => {
  it('reads the test, not the sign of the skill, and shows its p-value', () => {
    for (const [edge, expected] of [
      [0.5, 'beats naive'],
      [1.5, 'worse than naive'],
    ] as const) {
      const pair = losses(200, edge);
      const significance = dieboldMariano(pair.model, pair.naive, 1);
      const v = verdict({ skill: skillOf(pair), significance });
      expect(v.label).toBe(expected);
      expect(v.trust).toBe(significance.verdict);
      expect(v.pValue).toBe(significance.pValue);
      expect(v.reason).toContain(formatPValue(significance.pValue));
    }
  });

  it('a positive skill the test cannot tell from luck is "no detectable difference"', () => {
    const pair = losses(40, 0.995);
    const significance = dieboldMariano(pair.model, pair.naive, 1);
    expect(significance.verdict).toBe('no-detectable-difference');
    const skill = skillOf(pair);
    const v = verdict({ skill, significance });
    expect(v.label).toBe('no detectable difference');
    expect(v.reason).toContain(`${(Math.abs(skill) * 100).toFixed(1)}%`);
    expect(v.reason).toContain('no edge shown yet');
  });

  it('says too few scored forecasts, and names naive itself the baseline', () => {
    const pair = losses(5, 0.5);
    const few = verdict({
      skill: skillOf(pair),
      significance: dieboldMariano(pair.model, pair.naive, 1),
    });
    expect(few).toMatchObject({
      trust: 'too-few-pairs',
      label: 'too few scored forecasts',
      pValue: null,
    });
    expect(few.reason).toBe('Only 5 scored forecasts: too few to test against naive.');
    const naive = verdict({
      algorithm: 'naive',
      skill: 0,
      significance: dieboldMariano(pair.naive, pair.naive, 1),
    });
    expect(naive.trust).toBe('baseline');
  });

  it('prints p-values without claiming certainty', () => {
    expect(formatPValue(0.0031)).toBe('p = 0.003');
    expect(formatPValue(0.412)).toBe('p = 0.41');
    expect(formatPValue(0.00001)).toBe('p < 0.001');
    expect(formatPValue(null)).toBe('p —');
  });
});

/** Calls of stated confidence `c`, right `hits` times out of `count`, in 10 bins of 0.1. */
function calibration(bins: [confidence: number, count: number, hits: number][]): Calibration {
  const n = bins.reduce((sum, [, count]) => sum + count, 0);
  const full = Array.from({ length: 10 }, (_, i) => {
    const found = bins.find(([c]) => Math.min(9, Math.floor(c * 10)) === i);
    return {
      lower: i / 10,
      upper: (i + 1) / 10,
      count: found?.[1] ?? 0,
      meanConfidence: found ? found[0] : null,
      hitRate: found ? found[2] / found[1] : null,
    };
  });
  const ece = n
    ? full.reduce(
        (sum, bin) =>
          bin.count ? sum + (bin.count / n) * Math.abs(bin.hitRate! - bin.meanConfidence!) : sum,
        0,
      )
    : null;
  return { n, bins: full, ece };
}

describe('reliability diagram', () => {
  const box = { size: 200, pad: 10 };

  it('puts a perfectly calibrated bin on the diagonal and a bin with few calls faint', () => {
    const cal = calibration([
      [0.55, 40, 22],
      [0.75, 100, 64],
      [0.95, FEW_CALLS - 1, 9],
    ]);
    const points = reliabilityPoints(cal, box);
    expect(points).toHaveLength(3);
    // 0.55 said, 22/40 = 0.55 right: on the diagonal, where x + y spans the box once.
    expect(points[0]!.x + points[0]!.y).toBeCloseTo(box.size, 9);
    expect(points.map((p) => p.faint)).toEqual([false, false, true]);
    // Below the diagonal: right less often than it says.
    expect(points[1]!.y).toBeGreaterThan(box.size - points[1]!.x);
    expect(points[1]!.r).toBeGreaterThan(points[0]!.r);
    expect(points[1]!.label).toBe('says 75%, right 64% (100 calls)');
  });

  it('reads the busiest bin and the ECE in plain words, from the data', () => {
    const cal = calibration([
      [0.55, 40, 22],
      [0.72, 100, 64],
    ]);
    expect(calibrationReading(cal)).toBe(
      'When it says 72%, it is right 64% of the time (100 of its 140 calls).',
    );
    expect(eceReading(cal.ece)).toContain(`${(cal.ece! * 100).toFixed(1)} points`);
    expect(calibrationReading(calibration([]))).toBe('No scored directional calls yet.');
    expect(eceReading(null)).toContain('no calls');
  });
});

const HOUR = 3_600_000;

function tradingResult(overrides: Partial<StrategyView> = {}): StrategyView {
  const times = Array.from({ length: 5 }, (_, i) => Date.UTC(2026, 0, 1) + i * HOUR);
  const metrics = {
    totalReturn: 0.042,
    maxDrawdown: 0.013,
    trades: 3,
    winRate: 2 / 3,
    exposure: 0.6,
    feesPaid: 0.006,
  };
  return {
    bars: times.length,
    signalledBars: 3,
    strategy: metrics,
    buyAndHold: {
      ...metrics,
      totalReturn: -0.02,
      trades: 1,
      winRate: 0,
      exposure: 1,
      feesPaid: 0.002,
    },
    coinFlip: { runs: 1000, pValue: 0.34, meanTotalReturn: 0.001 },
    equity: {
      times,
      strategy: [1, 1.01, 0.997, 1.03, 1.042],
      buyAndHold: [1, 0.99, 0.985, 0.99, 0.98],
    },
    ...overrides,
  };
}

describe('"Would it have paid?" figures', () => {
  it('takes the fee per side in percent and sends a fraction, refusing what is outside 0–10 %', () => {
    expect(feeRateFrom('0.1')).toEqual({ feeRate: 0.001 });
    expect(feeRateFrom(' 0 ')).toEqual({ feeRate: 0 });
    for (const bad of ['-1', '11', 'abc', '']) {
      const parsed = feeRateFrom(bad);
      expect(parsed, bad).toHaveProperty('error');
      expect((parsed as { error: string }).error).toMatch(/^Fee per side/);
    }
  });

  it('draws both curves on one scale, as returns from the starting stake', () => {
    const result = tradingResult();
    const chart = equityChart(
      result.equity,
      { width: 400, height: 200, left: 8, right: 48, top: 8, bottom: 20 },
      3,
    )!;
    expect(chart.strategy.split('L')).toHaveLength(5);
    expect(chart.buyAndHold.split('L')).toHaveLength(5);
    // The strategy ends higher (4.2 %) than buy-and-hold (−2 %): higher on screen, smaller y.
    const lastY = (path: string) => Number(path.split(',').at(-1));
    expect(lastY(chart.strategy)).toBeLessThan(lastY(chart.buyAndHold));
    expect(chart.s.y(4.2)).toBeCloseTo(lastY(chart.strategy), 1);
    // An axis of returns crosses zero: its label reads 0, never −0.
    expect(chart.s.priceTicks.map((t) => t.label)).not.toContain('-0');
    expect(chart.s.priceTicks.map((t) => t.label)).toContain('0');
    expect(
      equityChart(
        { times: [1], strategy: [1], buyAndHold: [1] },
        { width: 400, height: 200, left: 8, right: 48, top: 8, bottom: 20 },
        3,
      ),
    ).toBeNull();
  });

  it('lists the key figures beside buy-and-hold, in percent where they are fractions', () => {
    const rows = figureRows(tradingResult());
    expect(rows.map((r) => r.label)).toEqual([
      'Total return',
      'Max drawdown',
      'Trades',
      'Win rate',
      'Exposure',
      'Fees paid',
    ]);
    expect(rows[0]).toEqual({ label: 'Total return', strategy: '+4.20%', buyAndHold: '-2.00%' });
    expect(rows[3]).toEqual({ label: 'Win rate', strategy: formatShare(2 / 3), buyAndHold: '0%' });
  });

  it('says in one line what the signals made after fees, beside buying and holding', () => {
    expect(strategyReading(tradingResult())).toBe(
      'After 0.60% in fees, the signals made +4.20%; buying and holding, -2.00%: the signals beat it.',
    );
    const worse = tradingResult();
    worse.strategy = { ...worse.strategy, totalReturn: -0.05 };
    expect(strategyReading(worse)).toContain('the signals trailed it.');
  });

  it('reads the coin-flip p-value as what it counts', () => {
    expect(coinFlipReading({ runs: 1000, pValue: 0.34, meanTotalReturn: 0 })).toBe(
      'A coin flip with the same exposure did as well in 34% of 1000 runs (p = 0.34): its timing is not shown to beat luck.',
    );
    expect(coinFlipReading({ runs: 500, pValue: 0.012, meanTotalReturn: 0 })).toContain(
      'its timing looks like more than luck',
    );
    expect(coinFlipReading({ runs: 1000, pValue: 1 / 1001, meanTotalReturn: 0 })).toContain(
      'did as well in under 1% of 1000 runs (p < 0.001)',
    );
  });

  it('is empty when the window has no bars or none carries a signal, not when signals never traded', () => {
    expect(isEmptyStrategy(tradingResult())).toBe(false);
    expect(isEmptyStrategy(tradingResult({ signalledBars: 0 }))).toBe(true);
    const flat = tradingResult();
    flat.strategy = { ...flat.strategy, trades: 0, exposure: 0, winRate: null };
    expect(isEmptyStrategy(flat)).toBe(false);
    expect(
      isEmptyStrategy(tradingResult({ equity: { times: [], strategy: [], buyAndHold: [] } })),
    ).toBe(true);
  });
});
