import { ExponentialBackoff, handleWhen, noJitterGenerator, retry } from 'cockatiel';
import { isTransientDatabaseError } from './pool.ts';

/** 200 ms after the first failure, doubling up to 5 s: an outage is noticed within seconds. */
const DATABASE_RETRY_DELAYS = new ExponentialBackoff({
  generator: noJitterGenerator,
  initialDelay: 200,
  maxDelay: 5_000,
});

/**
 * Runs database work until the database answers: transient failures (see
 * isTransientDatabaseError) are retried without end, anything else is thrown at once. An
 * outage delays the work; it never drops it. `onRetry` hears each failure that will be retried,
 * numbered from 1.
 */
export async function retryWhileDatabaseDown<T>(
  work: () => Promise<T>,
  onRetry?: (err: Error, attempt: number) => void,
): Promise<T> {
  const policy = retry(handleWhen(isTransientDatabaseError), {
    maxAttempts: Number.POSITIVE_INFINITY,
    backoff: DATABASE_RETRY_DELAYS,
  });
  if (onRetry) {
    policy.onRetry((event) => {
      // Only what isTransientDatabaseError let through is retried, and that is an Error.
      if ('error' in event) onRetry(event.error as Error, event.attempt);
    });
  }
  return policy.execute(() => work());
}
