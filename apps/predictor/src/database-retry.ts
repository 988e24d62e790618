import pRetry from 'p-retry';
import type { Logger } from '@cryptoviz/runtime';
import { isTransientDatabaseError } from '@cryptoviz/store';

export type DatabaseRetry = <T>(work: () => Promise<T>) => Promise<T>;

/** Runs database work until it answers: an outage delays forecasts, it never drops them. */
export function databaseRetry(log: Logger): DatabaseRetry {
  return (work) =>
    pRetry(work, {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 200,
      maxTimeout: 5_000,
      shouldRetry: ({ error }) => isTransientDatabaseError(error),
      onFailedAttempt: ({ error, attemptNumber }) => {
        if (attemptNumber === 1) log.warn({ err: error.message }, 'database unavailable; retrying');
      },
    });
}
