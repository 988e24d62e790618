export * from './fetcher.ts';
export type { FetcherStatus } from './fetcher-status.ts';
export * from './service.ts';
