import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cryptoviz, expectCleanFailure, scratchDir } from './backtest-cli.ts';

const BTC = 'data/market/binance-btcusdt-1h.csv';

type Report = Record<string, Record<string, Record<string, number | null>>>;

/** Writes an hourly OHLCV CSV of `rows` gently trending bars; returns its path. */
async function hourlyCsv(rows: number): Promise<string> {
  const dir = await scratchDir();
  const path = join(dir, `hourly-${rows}.csv`);
  const lines = Array.from({ length: rows }, (_, i) => {
    const time = new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString();
    const close = 100 + i + (i % 3);
    return `${time},${close},${close},${close},${close},1`;
  });
  await writeFile(path, ['time,open,high,low,close,volume', ...lines].join('\n'));
  return path;
}

// Each case starts the CLI from its sources (tsx), some twice: seconds each on a busy machine.
describe('cryptoviz backtest', { timeout: 120_000 }, () => {
  it('reproduces the naive check on the BTC file as JSON', async () => {
    const run = await cryptoviz('backtest', '--data', BTC, '--models', 'naive', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(Object.keys(report)).toEqual(['naive']);
    expect(Object.keys(report.naive!)).toEqual(['1h', '6h']);
    expect(report.naive!['1h']).toMatchObject({ n: 29405, directionalAccuracy: null, skill: 0 });
    expect(report.naive!['1h']!.mape).toBeCloseTo(0.00531, 6);
    expect(report.naive!['6h']!.n).toBe(29395);
    expect(report.naive!['6h']!.mape).toBeCloseTo(0.012887, 6);
    for (const key of ['n', 'mae', 'mape', 'rmse', 'directionalAccuracy', 'skill']) {
      expect(report.naive!['1h']).toHaveProperty(key);
    }
    // Significance, calibration and the interval, with fractions (not percentages).
    expect(report.naive!['1h']).toMatchObject({
      significance: { n: 29405, pValue: 1, verdict: 'no-detectable-difference' },
      calibration: { n: 0, ece: null },
      nominalCoverage: 0.8,
    });
    const coverage = report.naive!['1h']!.intervalCoverage as number;
    expect(coverage).toBeGreaterThan(0.77);
    expect(coverage).toBeLessThan(0.83);
    expect(typeof report.naive!['1h']!.intervalScoreSkill).toBe('number');
  });

  it('takes models as separate words (trailing comma allowed) and keys results by spec', async () => {
    const run = await cryptoviz(
      'backtest',
      '--data',
      BTC,
      '--models',
      'naive',
      'movingAverage:window=20',
      'linearTrend:window=24,',
      '--horizons',
      '1h',
      '--json',
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(Object.keys(report)).toEqual([
      'naive',
      'movingAverage:window=20',
      'linearTrend:window=24',
    ]);
    for (const byHorizon of Object.values(report)) {
      expect(Object.keys(byHorizon)).toEqual(['1h']);
      expect(byHorizon['1h']!.n).toBe(29405);
    }
  });

  it('takes ";"-separated models, consensus parameters included', async () => {
    const run = await cryptoviz(
      'backtest',
      '--data',
      BTC,
      '--models',
      'naive;consensus:members=naive+movingAverage(window=20),weights=inverseMae',
      '--horizons',
      '6h',
      '--warmup',
      '200',
      '--json',
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(Object.keys(report)).toEqual([
      'naive',
      'consensus:members=naive+movingAverage(window=20),weights=inverseMae',
    ]);
    expect(report.naive!['6h']!.n).toBeLessThan(29395);
  });

  it('takes comma-separated models, a segment with "=" and no ":" being a parameter', async () => {
    const run = await cryptoviz(
      'backtest',
      '--data',
      await hourlyCsv(300),
      '--models',
      'naive,ewma,movingAverage:window=24,holt:alpha=0.5,beta=0.2,ewma:alpha=0.1,',
      'consensus:members=naive+movingAverage(window=20,),weights=inverseMae,errorWindow=48,naive',
      '--horizons',
      '1h',
      '--json',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(Object.keys(JSON.parse(run.stdout) as Report)).toEqual([
      'naive',
      'ewma',
      'movingAverage:window=24',
      'holt:alpha=0.5,beta=0.2',
      'ewma:alpha=0.1',
      'consensus:members=naive+movingAverage(window=20,),weights=inverseMae,errorWindow=48',
    ]);
  });

  it('refuses a parameter that follows no model', async () => {
    expectCleanFailure(
      await cryptoviz('backtest', '--data', BTC, '--models', 'window=24,movingAverage'),
      2,
      'parameter "window=24" in "window=24,movingAverage" follows no model',
    );
    expectCleanFailure(
      await cryptoviz('backtest', '--data', BTC, '--models', 'naive;alpha=0.5'),
      2,
      'parameter "alpha=0.5" in "alpha=0.5" follows no model',
    );
  });

  it('reads a comma after a parameter that is not key=value as the next model', async () => {
    expectCleanFailure(
      await cryptoviz('backtest', '--data', BTC, '--models', 'movingAverage:window=20,24'),
      2,
      'unknown model "24"',
    );
  });

  it('runs every model by default and prints a readable table without --json', async () => {
    const run = await cryptoviz('backtest', '--data', BTC);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^model\s+horizon\s+n\s+MAE\s+MAPE %\s+RMSE/);
    expect(run.stdout).toMatch(/naive\s+1h\s+29405\s+47\.79\d+\s+0\.5310/);
    expect(run.stdout).toMatch(/DM p\s+vs naive\s+ECE raw→cal\s+in interval %\s+interval skill %/);
    expect(run.stdout).toMatch(/^ridge\s+1h\s.*\sbeats naive\s/m);
    expect(run.stdout).toMatch(/^movingAverage\s+1h\s.*\sworse than naive\s/m);
    for (const name of [
      'movingAverage',
      'ewma',
      'linearTrend',
      'momentum',
      'holt',
      'ridge',
      'consensus',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`^${name}\\s+6h\\s+29395`, 'm'));
    }
  });

  it('scores only the held-out part with --from', async () => {
    const run = await cryptoviz(
      'backtest',
      '--data',
      BTC,
      '--models',
      'naive',
      '--from',
      '80%',
      '--json',
    );
    expect(run.code).toBe(0);
    const n = (JSON.parse(run.stdout) as Report).naive!['1h']!.n!;
    expect(n).toBeGreaterThan(5800);
    expect(n).toBeLessThan(5916);
  });

  it('lists the models, one a line', async () => {
    const run = await cryptoviz('backtest', '--list-models');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      'naive',
      'movingAverage',
      'ewma',
      'linearTrend',
      'momentum',
      'holt',
      'ridge',
      'consensus',
    ]);
  });

  it('fails cleanly on a missing file', async () => {
    expectCleanFailure(await cryptoviz('backtest', '--data', 'no/such.csv'), 1, 'no/such.csv');
  });

  it('fails cleanly on a malformed CSV, naming the line', async () => {
    const dir = await scratchDir();
    const path = join(dir, 'bad.csv');
    await writeFile(
      path,
      'time,open,high,low,close,volume\n' +
        '2024-01-01T00:00:00Z,1,1,1,1,1\n' +
        '2024-01-01T00:00:00Z,1,1,1,1,1\n',
    );
    expectCleanFailure(await cryptoviz('backtest', '--data', path), 1, 'bad.csv:3', 'duplicate');
  });

  it('fails cleanly on a file shorter than the warmup, saying how many rows it needs', async () => {
    expectCleanFailure(
      await cryptoviz('backtest', '--data', await hourlyCsv(100), '--models', 'naive'),
      2,
      'has 100 rows, but --warmup 168 + the 6h horizon need at least 175 rows',
    );
    const headerOnly = await hourlyCsv(0);
    expectCleanFailure(await cryptoviz('backtest', '--data', headerOnly), 2, 'has 0 rows');
  });

  it('needs the longest horizon to fit after the warmup, and no more', async () => {
    const path = await hourlyCsv(12);
    const args = ['backtest', '--data', path, '--models', 'naive', '--warmup', '5'];
    expectCleanFailure(
      await cryptoviz(...args, '--horizons', '1h,7h'),
      2,
      'has 12 rows, but --warmup 5 + the 7h horizon need at least 13 rows',
    );
    const run = await cryptoviz(...args, '--horizons', '6h,1h', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.naive!['6h']!.n).toBe(1);
    expect(report.naive!['1h']!.n).toBe(6);
  });

  it('fails cleanly on an unknown model, listing the valid ones', async () => {
    expectCleanFailure(
      await cryptoviz('backtest', '--data', BTC, '--models', 'naive', 'prophet'),
      2,
      'unknown model "prophet"',
      'valid models: naive, movingAverage',
    );
  });

  it('fails cleanly on an unknown or invalid parameter, listing the valid ones', async () => {
    expectCleanFailure(
      await cryptoviz('backtest', '--data', BTC, '--models', 'movingAverage:windw=20'),
      2,
      'unknown parameter "windw"',
      'valid parameters: window',
    );
    expectCleanFailure(
      await cryptoviz('backtest', '--data', BTC, '--models', 'holt:alpha=2'),
      2,
      'invalid parameter "alpha"',
      'valid parameters: alpha',
    );
  });

  it('fails cleanly on a bad horizon or warmup', async () => {
    expectCleanFailure(
      await cryptoviz('backtest', '--data', BTC, '--horizons', '1h,90m'),
      2,
      'invalid horizon "90m"',
    );
    expectCleanFailure(await cryptoviz('backtest', '--data', BTC, '--warmup', 'x'), 2, '--warmup');
  });

  it('refuses a window larger than the warmup allows', async () => {
    expectCleanFailure(
      await cryptoviz('backtest', '--data', BTC, '--models', 'momentum:window=200'),
      2,
      'momentum:window=200: needs 201 closes of history, so warmup must be ≥ 200 (got 168)',
    );
  });

  it('requires --data', async () => {
    expectCleanFailure(await cryptoviz('backtest', '--json'), 2, '--data');
  });

  it('treats a mistake in the command line as a usage error, exit 2', async () => {
    expectCleanFailure(await cryptoviz('backtest', '--bogus'), 2, "unknown option '--bogus'");
    expectCleanFailure(await cryptoviz('backtest', '--data'), 2, "'--data <csv>' argument missing");
  });

  it('says so when --from/--to leave nothing to score, rather than printing n = 0', async () => {
    const data = await hourlyCsv(400);
    expectCleanFailure(
      await cryptoviz('backtest', '--data', data, '--models', 'naive', '--from', '2030-01-01'),
      2,
      'no forecast to score',
      'within --from/--to',
    );
    expectCleanFailure(
      await cryptoviz('backtest', '--data', data, '--from', '2024-01-10', '--to', '2024-01-05'),
      2,
      '--from 2024-01-10 is not before --to 2024-01-05',
    );
  });

  it('scores a horizon named twice once', async () => {
    const data = await hourlyCsv(400);
    const args = ['backtest', '--data', data, '--models', 'naive', '--horizons', '1h,6h,1h'];
    const json = await cryptoviz(...args, '--json');
    expect(json.code).toBe(0);
    expect(Object.keys((JSON.parse(json.stdout) as Report).naive!)).toEqual(['1h', '6h']);
    const table = await cryptoviz(...args);
    expect(table.stdout.split('\n').filter((line) => /^naive\s+1h\s/.test(line))).toHaveLength(1);
  });
});
