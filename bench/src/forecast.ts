/**
 * Forecasting throughput on one core (Node runs this single-threaded):
 *  - forecasts per second for each model × symbol × horizon: one bar pushed, one full forecast
 *    (point, interval, confidence) read, over the whole file;
 *  - the same for the bare point model (push + predict) to show what the interval costs;
 *  - wall time of the full backtest (all models, 1h and 6h) on the BTC file, CSV parsing apart.
 * Prints one JSON line, then a table for people.
 */
import { Forecaster, MODEL_NAMES, createPointModel, runBacktest } from '@cryptoviz/forecast';
import { readOhlcvCsv } from '@cryptoviz/market';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const SYMBOLS = ['btcusdt', 'ethusdt'] as const;
const HORIZONS = [1, 6] as const;
const RUNS = 3; // best of three: the machine is shared, the fastest run is the least disturbed

const dataFile = (symbol: string) =>
  fileURLToPath(new URL(`../../data/market/binance-${symbol}-1h.csv`, import.meta.url));

interface Throughput {
  model: string;
  symbol: string;
  horizon: string;
  forecastsPerSecond: number;
  pointsPerSecond: number;
}

function bestOf(runs: number, action: () => void): number {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    action();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return best;
}

function fullForecasts(model: string, closes: Float64Array, horizon: number): void {
  const forecaster = Forecaster.fromSpec(model, horizon);
  let sink = 0;
  for (let i = 0; i < closes.length; i++) {
    forecaster.push(closes[i]!);
    const result = forecaster.forecast();
    if (result.kind === 'forecast') sink += result.upper - result.lower;
  }
  if (Number.isNaN(sink)) throw new Error(`${model}: NaN interval`);
}

function pointForecasts(model: string, closes: Float64Array, horizon: number): void {
  const pointModel = createPointModel(model, horizon);
  let sink = 0;
  for (let i = 0; i < closes.length; i++) {
    pointModel.push(closes[i]!);
    if (i + 1 >= pointModel.lookback) sink += pointModel.predict();
  }
  if (Number.isNaN(sink)) throw new Error(`${model}: NaN point`);
}

const series = new Map<string, { times: number[]; closes: Float64Array }>();
let parseSeconds = 0;
for (const symbol of SYMBOLS) {
  const start = process.hrtime.bigint();
  const bars = await readOhlcvCsv(dataFile(symbol));
  if (symbol === 'btcusdt') parseSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  series.set(symbol, {
    times: bars.map((bar) => bar.time),
    closes: Float64Array.from(bars, (bar) => bar.close),
  });
}

const throughput: Throughput[] = [];
for (const model of MODEL_NAMES) {
  for (const symbol of SYMBOLS) {
    const { closes } = series.get(symbol)!;
    for (const horizon of HORIZONS) {
      const full = bestOf(RUNS, () => fullForecasts(model, closes, horizon));
      const point = bestOf(RUNS, () => pointForecasts(model, closes, horizon));
      throughput.push({
        model,
        symbol,
        horizon: `${horizon}h`,
        forecastsPerSecond: Math.round(closes.length / full),
        pointsPerSecond: Math.round(closes.length / point),
      });
    }
  }
}

const btc = series.get('btcusdt')!;
const backtestSeconds = bestOf(RUNS, () =>
  runBacktest(btc, { models: [...MODEL_NAMES], horizons: [...HORIZONS] }),
);

const summary = {
  bench: 'forecast',
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  bars: Object.fromEntries([...series].map(([symbol, { closes }]) => [symbol, closes.length])),
  minForecastsPerSecond: Math.min(...throughput.map((row) => row.forecastsPerSecond)),
  backtest: {
    file: 'binance-btcusdt-1h.csv',
    models: MODEL_NAMES.length,
    horizons: HORIZONS.map((hours) => `${hours}h`),
    seconds: round(backtestSeconds, 3),
    csvParseSeconds: round(parseSeconds, 3),
  },
  throughput,
};
process.stdout.write(`${JSON.stringify(summary)}\n\n`);

const header = ['model', 'symbol', 'horizon', 'forecasts/s (full)', 'points/s (point only)'];
const rows = throughput.map((row) => [
  row.model,
  row.symbol,
  row.horizon,
  row.forecastsPerSecond.toLocaleString('en-US'),
  row.pointsPerSecond.toLocaleString('en-US'),
]);
const widths = header.map((title, c) =>
  Math.max(title.length, ...rows.map((row) => row[c]!.length)),
);
const line = (cells: string[]) =>
  cells.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n\n`);
process.stdout.write(
  `backtest, BTC (${btc.closes.length} bars), ${MODEL_NAMES.length} models × 1h, 6h: ` +
    `${summary.backtest.seconds} s (+ ${summary.backtest.csvParseSeconds} s CSV parse)\n`,
);

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
