export * from './service.ts';
export * from './writer.ts';
