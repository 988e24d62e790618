import type { Logger } from '@cryptoviz/runtime';
import { retryWhileDatabaseDown } from '@cryptoviz/store';

export type DatabaseRetry = <T>(work: () => Promise<T>) => Promise<T>;

/** Runs database work until it answers: an outage delays forecasts, it never drops them. */
export function databaseRetry(log: Logger): DatabaseRetry {
  return (work) =>
    retryWhileDatabaseDown(work, (error, attemptNumber) => {
      if (attemptNumber === 1) log.warn({ err: error.message }, 'database unavailable; retrying');
    });
}
