import {
  ProviderError,
  type PollResult,
  type ProviderContext,
  type TickProvider,
} from '../provider.ts';
import type { PollContext, ProviderAdapter } from './adapter.ts';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts';
import { clockFrom, type Clock } from './clock.ts';
import { asProviderError, HttpClient, scrubbed, type RetryOptions } from './http-client.ts';
import { ProviderRateLimiter } from './rate-limiter.ts';
import { createScrubber, type Scrubber } from '@cryptoviz/runtime/secrets';
import { StatsRecorder, type ProviderStats } from './stats.ts';
import { finalizeTicks, reportMissing, type Parsed } from './ticks.ts';
import { CallerAbortedError } from './transport.ts';
import { UnknownSymbols } from './unknown-symbols.ts';

/** Tuning knobs; the defaults suit production, tests shrink them. */
export interface HttpProviderOptions {
  clock?: Clock;
  timeoutMs?: number;
  maxBodyBytes?: number;
  retry?: Partial<RetryOptions>;
  breaker?: Partial<CircuitBreakerOptions>;
  /** A rate-limit wait longer than this fails the poll as rate-limited instead of stalling it. */
  maxRateLimitWaitMs?: number;
}

export const HTTP_DEFAULTS = {
  timeoutMs: 10_000,
  maxBodyBytes: 4 * 1024 * 1024,
  retry: { retries: 2, minDelayMs: 500, maxDelayMs: 5_000 },
  breaker: { failureThreshold: 5, cooldownMs: 60_000 },
  maxRateLimitWaitMs: 30_000,
} as const;

/** A provider that talks HTTP, with the counters a status needs. */
export interface HttpTickProvider extends TickProvider {
  stats(): ProviderStats;
}

export function hasStats(provider: TickProvider): provider is HttpTickProvider {
  return typeof (provider as Partial<HttpTickProvider>).stats === 'function';
}

/** Builds a TickProvider from an adapter, with the shared HTTP machinery around it. */
export function createHttpProvider(
  adapter: ProviderAdapter,
  context: ProviderContext,
  options: HttpProviderOptions = {},
): HttpTickProvider {
  const { spec } = context;
  const clock = options.clock ?? clockFrom(context.now);
  const scrub = createScrubber([context.apiKey]);
  const stats = new StatsRecorder(adapter.provider, clock, scrub);
  const connection = adapter.connection(context.apiKey, spec.endpoint);
  const limiter = new ProviderRateLimiter(
    {
      limits: connection.limits,
      requestsPerMinuteOverride: spec.rateLimit?.requestsPerMinute,
      share: context.rateShare ?? 1,
      maxWaitMs: options.maxRateLimitWaitMs ?? HTTP_DEFAULTS.maxRateLimitWaitMs,
    },
    clock,
    stats,
  );
  const breaker = new CircuitBreaker({ ...HTTP_DEFAULTS.breaker, ...options.breaker }, clock);
  const http = new HttpClient({
    provider: adapter.provider,
    baseUrl: connection.baseUrl,
    headers: connection.headers,
    dialect: adapter.dialect,
    transport: {
      timeoutMs: options.timeoutMs ?? HTTP_DEFAULTS.timeoutMs,
      maxBodyBytes: options.maxBodyBytes ?? HTTP_DEFAULTS.maxBodyBytes,
    },
    retry: { ...HTTP_DEFAULTS.retry, ...options.retry },
    limiter,
    breaker,
    stats,
    clock,
    scrub,
  });
  const identity = { source: context.source, provider: adapter.provider, quote: spec.quote };
  const unknownSymbols = new UnknownSymbols(() => clock.now());
  const pollContext = (): PollContext => ({
    symbols: spec.symbols,
    quote: spec.quote,
    symbolMap: spec.symbolMap ?? {},
    now: clock.now(),
  });

  /** Every outcome passes here: ticks validated, stats kept, errors classified and scrubbed. */
  async function run(
    operation: (context: PollContext) => Promise<Parsed>,
    expectEverySymbol: boolean,
  ): Promise<PollResult> {
    try {
      adapter.preflight?.(context.apiKey);
      const finalized = finalizeTicks(await operation(pollContext()), identity);
      // A benched unknown symbol was reported when benched; not again at every poll.
      const expected = unknownSymbols.active(spec.symbols);
      const result = expectEverySymbol ? reportMissing(finalized, expected) : finalized;
      const skipped = result.skipped.map((entry) => ({ ...entry, reason: scrub(entry.reason) }));
      stats.ticksSkipped(skipped.length);
      stats.succeeded();
      return { ...result, skipped };
    } catch (error) {
      throw boundaryError(error, scrub, stats);
    }
  }

  const provider: HttpTickProvider = {
    poll: (signal) =>
      run((ctx) => unknownSymbols.poll(ctx, (asked) => adapter.poll(http, asked, signal)), true),
    stats: () => {
      const openUntil = breaker.openUntil;
      return stats.snapshot({
        state: breaker.state,
        openUntil: openUntil === null ? null : new Date(openUntil).toISOString(),
      });
    },
  };
  const { backfill } = adapter;
  if (backfill) {
    provider.backfill = (hours, signal) =>
      run((ctx) => backfill.call(adapter, http, ctx, hours, signal), false);
  }
  return provider;
}

/**
 * The only errors that leave a provider are ProviderErrors with scrubbed messages. A caller's
 * abort (shutdown) is reported as transient but not counted as the provider's failure.
 */
function boundaryError(error: unknown, scrub: Scrubber, stats: StatsRecorder): ProviderError {
  if (error instanceof CallerAbortedError) {
    return new ProviderError('transient', scrub(error.message));
  }
  const classified = scrubbed(asProviderError(error), scrub);
  stats.failed(classified.kind, classified.message);
  return classified;
}
