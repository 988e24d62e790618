import { describe, expect, it } from 'vitest';
import { ProviderError } from '@cryptoviz/market';
import { createLogger, createRegistry, createScrubber } from '@cryptoviz/runtime';
import { initialFetcherStatus } from '../src/fetcher-status.ts';
import { fetcherMetrics } from '../src/metrics.ts';
import { PollRecord } from '../src/poll-record.ts';

function record(intervalMs: number, secret = 'sk-secret') {
  const status = initialFetcherStatus(['BTC'], {});
  const parts = {
    log: createLogger('poll-record-test', 'silent'),
    source: 'test',
    scrub: createScrubber([secret]),
    metrics: fetcherMetrics(createRegistry('fetcher')),
    status,
    intervalMs,
  };
  return { record: new PollRecord(parts), status };
}

describe('PollRecord', () => {
  it('waits the interval after a first failure, doubling per failure up to 32 intervals', () => {
    const { record: r, status } = record(1_000);
    const waits = Array.from({ length: 8 }, () => r.recordFailure(new Error('down')));
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 32_000, 32_000]);
    expect(status.consecutiveFailures).toBe(8);
  });

  it('never waits more than ten minutes, however long the interval', () => {
    const { record: r } = record(60 * 60_000);
    expect(r.recordFailure(new Error('down'))).toBe(10 * 60_000);
  });

  it('starts over after a success', () => {
    const { record: r, status } = record(500);
    r.recordFailure(new Error('down'));
    r.recordFailure(new Error('down'));
    r.recordSuccess();
    expect(status.consecutiveFailures).toBe(0);
    expect(status.lastSuccessAt).not.toBeNull();
    expect(r.recordFailure(new Error('down'))).toBe(500);
  });

  it("waits as long as the provider's Retry-After asks when that is longer", () => {
    const { record: r } = record(1_000);
    const limited = new ProviderError('rate-limited', 'HTTP 429', 90_000);
    expect(r.recordFailure(limited)).toBe(90_000);
  });

  it('records the error scrubbed, with a summary without the provider words', () => {
    const { record: r, status } = record(1_000, 'sk-secret');
    r.recordError(
      new ProviderError('auth', 'key sk-secret refused', undefined, 'HTTP 401'),
      'poll failed',
    );
    expect(status).toMatchObject({
      lastErrorKind: 'auth',
      lastErrorMessage: 'key [redacted] refused',
      lastErrorSummary: 'HTTP 401',
      consecutiveFailures: 0,
    });
  });
});
