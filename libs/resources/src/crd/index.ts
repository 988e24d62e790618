export * from './definitions.ts';
export * from './openapi.ts';
