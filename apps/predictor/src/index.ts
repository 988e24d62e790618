export * from './bars.ts';
export * from './catch-up-plan.ts';
export * from './model-spec.ts';
export * from './predictor.ts';
export * from './series.ts';
export * from './service.ts';
