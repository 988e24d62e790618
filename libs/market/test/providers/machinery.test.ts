import {
  candlesToCandidates,
  chooseCandleInterval,
  CircuitBreaker,
  parseRetryAfter,
  planBackfill,
  ProviderRateLimiter,
  stalestOf,
  StatsRecorder,
  ticksAfter,
  TokenBucket,
  type Candle,
  type Tick,
} from '@cryptoviz/market';
import { describe, expect, it } from 'vitest';
import { ManualClock, signal } from './helpers.ts';

const HOUR = 3_600_000;

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('token bucket', () => {
  it('lets a burst through, then refills at the rate', () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket(2, 60, clock);
    expect(bucket.waitFor(1)).toBe(0);
    bucket.take(1);
    bucket.take(1);
    expect(bucket.waitFor(1)).toBe(1_000);
    clock.advance(500);
    expect(bucket.waitFor(1)).toBe(500);
    clock.advance(500);
    expect(bucket.waitFor(1)).toBe(0);
  });

  it('charges weights and trusts the server’s count of what is used', () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket(1200, 6000, clock);
    bucket.take(40);
    expect(bucket.waitFor(1160)).toBe(0);
    bucket.syncUsed(5990, 6000);
    expect(bucket.waitFor(40)).toBe(300); // 30 weight short at 100 weight/s
  });
});

describe('rate limiter', () => {
  function limiter(clock: ManualClock, requestsPerMinuteOverride?: number, share?: number) {
    const stats = new StatsRecorder('test', clock, (text) => text);
    const rateLimiter = new ProviderRateLimiter(
      {
        limits: { requestsPerMinute: 60, burst: 1 },
        requestsPerMinuteOverride,
        maxWaitMs: 30_000,
        ...(share ? { share } : {}),
      },
      clock,
      stats,
    );
    return { rateLimiter, stats: () => stats.snapshot({ state: 'closed', openUntil: null }) };
  }

  it('waits for the bucket and counts the wait', async () => {
    const clock = new ManualClock(0);
    const { rateLimiter, stats } = limiter(clock);
    await rateLimiter.acquire(1, signal());
    await rateLimiter.acquire(1, signal());
    expect(clock.sleeps).toEqual([1_000]);
    expect(stats()).toMatchObject({ rateLimitWaits: 1, rateLimitWaitMs: 1_000 });
  });

  it('uses spec.rateLimit instead of the documented rate', async () => {
    const clock = new ManualClock(0);
    const { rateLimiter } = limiter(clock, 6);
    await rateLimiter.acquire(1, signal());
    await rateLimiter.acquire(1, signal());
    expect(clock.sleeps).toEqual([10_000]);
  });

  it('gives each shard of a source its share of the limits', async () => {
    const clock = new ManualClock(0);
    // One of three shards: 60 requests a minute between them, 20 for this one.
    const { rateLimiter } = limiter(clock, undefined, 1 / 3);
    await rateLimiter.acquire(1, signal());
    await rateLimiter.acquire(1, signal());
    expect(clock.sleeps).toEqual([3_000]);
  });

  it('fails fast as rate-limited when the wait is longer than allowed', async () => {
    const clock = new ManualClock(0);
    const { rateLimiter } = limiter(clock);
    rateLimiter.pauseFor(60_000);
    await expect(rateLimiter.acquire(1, signal())).rejects.toMatchObject({
      kind: 'rate-limited',
      retryAfterMs: 60_000,
    });
    expect(clock.sleeps).toEqual([]);
  });
});

describe('circuit breaker', () => {
  it('opens at the threshold, admits one trial after the cool-down, closes on success', async () => {
    const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 30_000 }, clock);
    await breaker.admit();
    breaker.failed('HTTP 500');
    await breaker.admit();
    breaker.failed('HTTP 502');
    expect(breaker.state).toBe('open');
    await expect(breaker.admit()).rejects.toThrow(
      'circuit breaker open until 2026-11-22T10:00:30.000Z after 2 consecutive failures (last: HTTP 502)',
    );
    clock.advance(30_000);
    expect(breaker.state).toBe('half-open');
    await breaker.admit(); // the trial
    // A call made meanwhile waits for the trial, and goes through when it succeeds.
    const second = breaker.admit();
    breaker.succeeded();
    await second;
    expect(breaker.state).toBe('closed');
  });

  it('fails the calls waiting for a trial that fails, and opens again', async () => {
    const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 30_000 }, clock);
    await breaker.admit();
    breaker.failed('HTTP 503');
    clock.advance(30_000);
    await breaker.admit(); // the trial
    const waiting = breaker.admit();
    breaker.failed('HTTP 503 again');
    await expect(waiting).rejects.toThrow(/circuit breaker open until .* \(last: HTTP 503 again\)/);
    expect(breaker.state).toBe('open');
  });
});

describe('candles', () => {
  it('picks the finest interval that fits 720 candles', () => {
    const minutes = [1, 5, 15, 60, 240, 1440].map((m) => m * 60_000);
    expect(chooseCandleInterval(1, minutes)).toBe(60_000);
    expect(chooseCandleInterval(12, minutes)).toBe(60_000);
    expect(chooseCandleInterval(13, minutes)).toBe(5 * 60_000);
    expect(chooseCandleInterval(24 * 30, minutes)).toBe(60 * 60_000);
    expect(chooseCandleInterval(24 * 90, minutes)).toBe(240 * 60_000);
  });

  it('fills 24 h volume and change only over a full, gap-free day, and drops open candles', () => {
    const start = Date.parse('2024-01-01T00:00:00Z');
    const candles: Candle[] = Array.from({ length: 26 }, (_, i) => ({
      openMs: start + i * HOUR,
      closeMs: start + (i + 1) * HOUR,
      close: 100 + i,
      quoteVolume: 10,
    }));
    const now = start + 25 * HOUR + 1; // the 26th candle is still open
    const ticks = candlesToCandidates('BTC', candles, now);
    expect(ticks).toHaveLength(25);
    expect(ticks[22]!.volume24h).toBeNull();
    expect(ticks[23]!.volume24h).toBe(240);
    expect(ticks[23]!.change24hPct).toBeNull(); // no close 24 h before the first day ends
    expect(ticks[24]!.change24hPct).toBeCloseTo((124 / 100 - 1) * 100, 10);
    const gappy = candlesToCandidates('BTC', [...candles.slice(0, 10), ...candles.slice(11)], now);
    expect(gappy.every((tick) => tick.volume24h === null || tick.timeMs >= start + 35 * HOUR)).toBe(
      true,
    );
  });
});

describe('backfill planning', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  const base = { now, pollIntervalMs: 60_000, initialHours: 0 };

  it('loads the configured history on a first start, or nothing', () => {
    expect(planBackfill({ ...base, lastTickTime: null, initialHours: 48 })).toEqual({
      hours: 48,
      after: null,
      reason: 'first-start',
    });
    expect(planBackfill({ ...base, lastTickTime: undefined })).toBeNull();
  });

  it('ignores polls that were merely late', () => {
    expect(planBackfill({ ...base, lastTickTime: '2026-11-22T11:58:30.000Z' })).toBeNull();
  });

  it('covers the whole outage, rounded up to hours and capped', () => {
    expect(planBackfill({ ...base, lastTickTime: '2026-11-22T09:30:00.000Z' })).toEqual({
      hours: 3,
      after: '2026-11-22T09:30:00.000Z',
      reason: 'outage',
    });
    expect(
      planBackfill({ ...base, lastTickTime: '2025-01-01T00:00:00.000Z', maxHours: 24 })?.hours,
    ).toBe(24);
  });

  it('keeps only ticks after the last stored one', () => {
    const tick = (time: string) => ({ time }) as Tick;
    const result = {
      ticks: [
        tick('2026-11-22T09:00:00.000Z'),
        tick('2026-11-22T09:30:00.000Z'),
        tick('2026-11-22T10:00:00.000Z'),
      ],
      skipped: [],
    };
    expect(ticksAfter(result, '2026-11-22T09:30:00.000Z').ticks).toEqual([
      tick('2026-11-22T10:00:00.000Z'),
    ]);
    expect(ticksAfter(result, null)).toBe(result);
  });

  it('keeps each symbol’s ticks after its own last stored one, and all of a new symbol’s', () => {
    const tick = (symbol: string, time: string) => ({ symbol, time }) as Tick;
    const result = {
      ticks: [
        tick('BTC', '2026-11-22T09:00:00.000Z'),
        tick('BTC', '2026-11-22T10:00:00.000Z'),
        tick('ETH', '2026-11-22T09:00:00.000Z'),
        tick('ETH', '2026-11-22T10:00:00.000Z'),
        tick('SOL', '2026-11-22T09:00:00.000Z'),
      ],
      skipped: [],
    };
    const stored = new Map([
      ['BTC', '2026-11-22T09:30:00.000Z'],
      ['ETH', '2026-11-22T10:00:00.000Z'],
      ['SOL', null],
    ]);
    expect(ticksAfter(result, stored).ticks).toEqual([
      tick('BTC', '2026-11-22T10:00:00.000Z'),
      tick('SOL', '2026-11-22T09:00:00.000Z'),
    ]);
    // The source resumes from its stalest symbol, or starts afresh while one has nothing.
    expect(stalestOf(stored)).toBeNull();
    stored.set('SOL', '2026-11-22T08:00:00.000Z');
    expect(stalestOf(stored)).toBe('2026-11-22T08:00:00.000Z');
    expect(stalestOf(new Map())).toBeNull();
  });
});
