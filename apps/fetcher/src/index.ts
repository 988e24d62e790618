export * from './fetcher.ts';
export * from './service.ts';
