import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cryptoviz, expectCleanFailure, ohlcvCsv, scratchDir } from './backtest-cli.ts';

const BTC = 'data/market/binance-btcusdt-1h.csv';

/** `count` hourly bars, a gentle wave so models both rise and fall; hours listed in `skip` are missing. */
function waveRows(count: number, skip: readonly number[] = []): [number, number, number][] {
  const rows: [number, number, number][] = [];
  for (let hour = 0; hour < count; hour++) {
    if (skip.includes(hour)) continue;
    const price = (h: number) => 100 * (1 + 0.05 * Math.sin(h / 9) + 0.0002 * h);
    rows.push([hour, price(hour - 1), price(hour)]);
  }
  return rows;
}

interface StrategyJson {
  file: string;
  from: number;
  to: number;
  gaps: { count: number; missingBars: number };
  walkForward: { scheme: string; trainBars: number; foldBars: number } | null;
  rows: {
    model: string;
    horizon: string;
    rule: { threshold: number; minConfidence: number } | null;
    folds: { trainFrom: number; trainTo: number; rule: object }[] | null;
    result: {
      bars: number;
      costs: { feeRate: number; slippageRate: number; allowShort: boolean };
      strategy: Record<string, number | null>;
      buyAndHold: Record<string, number | null>;
      coinFlip: { runs: number; seed: number; pValue: number };
      equity?: unknown;
    };
  }[];
}

// Each case starts the CLI from its sources (tsx): seconds each on a busy machine.
describe('cryptoviz backtest --strategy', { timeout: 120_000 }, () => {
  it('reports each model beside buy-and-hold and the coin flip as JSON, and writes the equity curves', async () => {
    const equity = join(await scratchDir(), 'equity.csv');
    const run = await cryptoviz(
      'backtest',
      '--data',
      BTC,
      '--strategy',
      '--models',
      'momentum',
      'ridge',
      '--horizons',
      '1h',
      '--min-confidence',
      '0.55',
      '--fee',
      '0.1%',
      '--slippage',
      '0.0005',
      '--coin-flips',
      '100',
      '--seed',
      '7',
      '--from',
      '80%',
      '--json',
      '--equity',
      equity,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as StrategyJson;
    expect(report.rows.map((row) => `${row.model}@${row.horizon}`)).toEqual([
      'momentum@1h',
      'ridge@1h',
    ]);
    const [, ridge] = report.rows;
    // Fractions in, fractions out: 0.1% and 0.0005 are both fractions once parsed.
    expect(ridge!.result.costs).toEqual({
      feeRate: 0.001,
      slippageRate: 0.0005,
      allowShort: false,
    });
    expect(ridge!.rule).toEqual({ threshold: 0.002, minConfidence: 0.55 });
    expect(ridge!.result.coinFlip).toMatchObject({ runs: 100, seed: 7 });
    expect(ridge!.result.equity).toBeUndefined(); // curves go to --equity
    for (const key of [
      'totalReturn',
      'annualisedReturn',
      'sharpe',
      'sortino',
      'maxDrawdown',
      'maxDrawdownDurationMs',
      'trades',
      'winRate',
      'exposure',
      'averageTradeReturn',
      'feesPaid',
    ]) {
      expect(ridge!.result.strategy).toHaveProperty(key);
    }
    expect(ridge!.result.buyAndHold.exposure).toBe(1);

    const lines = (await readFile(equity, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('time,buyAndHold,momentum@1h,ridge@1h');
    expect(lines).toHaveLength(ridge!.result.bars + 1);
    const last = lines.at(-1)!.split(',').map(Number);
    expect(last[1]).toBeCloseTo(1 + ridge!.result.buyAndHold.totalReturn!, 5);
    expect(last[3]).toBeCloseTo(1 + ridge!.result.strategy.totalReturn!, 5);
  });

  it('walks forward, choosing each fold’s rule on earlier bars, and prints a readable table', async () => {
    const args = [
      'backtest',
      '--data',
      BTC,
      '--strategy',
      '--models',
      'ridge',
      '--horizons',
      '1h',
      '--to',
      '40%',
      '--coin-flips',
      '50',
      '--walk-forward',
      'rolling:2160',
      '--fold',
      '1440',
    ];
    const [json, table] = await Promise.all([cryptoviz(...args, '--json'), cryptoviz(...args)]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as StrategyJson;
    expect(report.walkForward).toEqual({ scheme: 'rolling', trainBars: 2160, foldBars: 1440 });
    const folds = report.rows[0]!.folds!;
    expect(folds.length).toBeGreaterThan(3);
    expect(report.from).toBe(folds[0]!.trainTo); // nothing traded before the first choice
    // 2160 bars: 2160 hours, or a little more where the data has a gap.
    for (const fold of folds) {
      expect(fold.trainTo - fold.trainFrom).toBeGreaterThanOrEqual(2160 * 3_600_000);
      expect(fold.trainTo - fold.trainFrom).toBeLessThan(2170 * 3_600_000);
    }

    expect(table.code).toBe(0);
    expect(table.stdout).toContain('walk-forward rolling (training 2160 bars, folds of 1440)');
    expect(table.stdout).toMatch(/^buy-and-hold\s/m);
    expect(table.stdout).toMatch(/^ridge\s+1h\s/m);
    expect(table.stdout).toContain('coin-flip p');
  });

  it('prints how many bars a gap skipped, and shorts when asked', async () => {
    const path = await ohlcvCsv('gap.csv', waveRows(400, [300, 301]));
    const run = await cryptoviz(
      'backtest',
      '--data',
      path,
      '--strategy',
      '--models',
      'momentum',
      '--horizons',
      '1h',
      '--min-confidence',
      '0',
      '--coin-flips',
      '20',
      '--short',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "1 gaps (2 bars missing): a fill due in a gap happens at the next bar's open",
    );
    expect(run.stdout).toContain('SELL goes short');
  });

  it('rejects a fee or slippage outside 0–10 %, naming the flag', async () => {
    const runs = await Promise.all([
      cryptoviz('backtest', '--data', BTC, '--strategy', '--fee', '20%'),
      cryptoviz('backtest', '--data', BTC, '--strategy', '--slippage=-0.01'),
      cryptoviz('backtest', '--data', BTC, '--strategy', '--fee', 'cheap'),
    ]);
    expectCleanFailure(runs[0], 2, '--fee "20%"', 'between 0 and 10 %');
    expectCleanFailure(runs[1], 2, '--slippage "-0.01"');
    expectCleanFailure(runs[2], 2, '--fee "cheap"');
  });

  it('refuses duplicate, unsorted and non-positive rows, and too few bars, naming what is wrong', async () => {
    const rows = waveRows(300);
    const [duplicate, unsorted, zero, short] = await Promise.all([
      ohlcvCsv('dup.csv', [...rows.slice(0, 200), rows[199]!, ...rows.slice(200)]),
      ohlcvCsv('unsorted.csv', [...rows.slice(0, 200), rows[201]!, rows[200]!, ...rows.slice(202)]),
      ohlcvCsv(
        'zero.csv',
        rows.map((row, i) => (i === 250 ? [row[0], 0, row[2]] : row)),
      ),
      ohlcvCsv('short.csv', rows.slice(0, 100)),
    ]);
    const strategy = (path: string) =>
      cryptoviz('backtest', '--data', path, '--strategy', '--models', 'naive');
    const runs = await Promise.all([duplicate, unsorted, zero, short].map(strategy));
    expectCleanFailure(runs[0]!, 1, 'dup.csv:202', 'duplicate');
    expectCleanFailure(runs[1]!, 1, 'unsorted.csv:203', 'sorted');
    expectCleanFailure(runs[2]!, 1, 'zero.csv:252', '"open"', 'positive');
    expectCleanFailure(runs[3]!, 2, 'has 100 rows', '--warmup');
  });

  it('needs a training window that fits before walking forward', async () => {
    const path = await ohlcvCsv('wave.csv', waveRows(500));
    expectCleanFailure(
      await cryptoviz('backtest', '--data', path, '--strategy', '--walk-forward', 'rolling:1000'),
      2,
      'walk-forward needs more than 1000 training bars',
    );
    expectCleanFailure(
      await cryptoviz('backtest', '--data', path, '--strategy', '--walk-forward', 'sideways'),
      2,
      '--walk-forward "sideways"',
    );
    expectCleanFailure(
      await cryptoviz('backtest', '--data', path, '--walk-forward', 'rolling:100'),
      2,
      '--walk-forward only applies with --strategy',
    );
  });
});
