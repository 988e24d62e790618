export * from './pool.ts';
export * from './migrate.ts';
export * from './ticks.ts';
export * from './predictions.ts';
export * from './health.ts';
export * from './sparklines.ts';
