export * from './tick.ts';
export * from './ohlcv-csv.ts';
export * from './data-dir.ts';
export * from './providers/index.ts';
