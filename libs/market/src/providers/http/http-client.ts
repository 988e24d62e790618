import pRetry from 'p-retry';
import { ProviderError } from '../provider.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import {
  classifyStatus,
  countsAgainstProvider,
  describeNonJson,
  tryParseJson,
} from './classify.ts';
import type { Clock } from './clock.ts';
import type { ProviderRateLimiter } from './rate-limiter.ts';
import { parseRetryAfter } from './retry-after.ts';
import type { Scrubber } from '@cryptoviz/runtime/secrets';
import type { StatsRecorder } from './stats.ts';
import { CallerAbortedError, fetchOnce, type TransportOptions } from './transport.ts';

export type QueryParams = Record<string, string | number | undefined>;

export interface RetryOptions {
  /** Extra attempts after the first, for transient failures only. */
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

/** The provider-specific parts of talking HTTP to one API. */
export interface HttpDialect {
  /**
   * Reads an error the provider put in the body. Several providers answer errors with
   * HTTP 200 (Kraken's `error[]`, CoinMarketCap's `status.error_code`), so this runs first.
   * `body` is undefined when it was not JSON; `status` is undefined for a saved body.
   */
  classifyBody(body: unknown, status: number | undefined): ProviderError | undefined;
  /** Learns from response headers, e.g. Binance's running weight count. */
  observeResponse?(headers: Headers, limiter: ProviderRateLimiter): void;
}

export interface HttpClientParts {
  provider: string;
  baseUrl: string;
  headers: Record<string, string>;
  dialect: HttpDialect;
  transport: TransportOptions;
  retry: RetryOptions;
  limiter: ProviderRateLimiter;
  breaker: CircuitBreaker;
  stats: StatsRecorder;
  clock: Clock;
  scrub: Scrubber;
}

export interface GetOptions {
  /** What the request costs against a weighted limit (Binance); 1 elsewhere. */
  weight?: number;
  signal: AbortSignal;
}

/**
 * GETs JSON from one provider: rate-limited, behind a circuit breaker, retried with
 * exponential backoff and jitter on transient failures only, every failure classified.
 */
export class HttpClient {
  constructor(private readonly parts: HttpClientParts) {}

  /** The client's clock: when a response without its own timestamp was observed. */
  now(): number {
    return this.parts.clock.now();
  }

  async getJson(path: string, query: QueryParams, options: GetOptions): Promise<unknown> {
    const { breaker, retry, stats, scrub } = this.parts;
    const url = joinUrl(this.parts.baseUrl, path, query);
    await breaker.admit();
    try {
      // p-retry, not cockatiel's retry: its wait between attempts ends when the caller aborts,
      // so a fetcher asked to stop mid-backoff stops at once; cockatiel's waits it out.
      const body = await pRetry(() => this.attempt(url, options), {
        retries: retry.retries,
        minTimeout: retry.minDelayMs,
        maxTimeout: retry.maxDelayMs,
        factor: 2,
        randomize: true,
        signal: options.signal,
        shouldRetry: ({ error }) => {
          const retryable = error instanceof ProviderError && error.kind === 'transient';
          if (retryable) stats.retried();
          return retryable;
        },
      });
      breaker.succeeded();
      return body;
    } catch (error) {
      if (options.signal.aborted || error instanceof CallerAbortedError) {
        breaker.released();
        throw new CallerAbortedError(`GET ${url.pathname} aborted by the caller`);
      }
      const classified = scrubbed(asProviderError(error), scrub);
      if (countsAgainstProvider(classified)) breaker.failed(classified.message, classified.summary);
      else breaker.released();
      throw classified;
    }
  }

  private async attempt(url: URL, options: GetOptions): Promise<unknown> {
    const { limiter, stats, clock, dialect, provider } = this.parts;
    await limiter.acquire(options.weight ?? 1, options.signal);
    stats.requestSent();
    const raw = await fetchOnce(url, this.parts.headers, this.parts.transport, options.signal);
    dialect.observeResponse?.(raw.headers, limiter);
    const what = `${provider} GET ${url.pathname}`;
    const body = tryParseJson(raw.text);
    const error =
      summarizedWithoutBody(
        dialect.classifyBody(body, raw.status),
        body,
        `${what}: answered ${raw.status}`,
      ) ?? classifyStatus(raw.status, raw.headers, clock.now(), what);
    if (error) {
      const hinted = withRetryAfter(
        error,
        parseRetryAfter(raw.headers.get('retry-after'), clock.now()),
      );
      if (hinted.retryAfterMs !== undefined && hinted.kind !== 'auth') {
        limiter.pauseFor(hinted.retryAfterMs);
      }
      throw hinted;
    }
    if (body === undefined) {
      const summary = `${what}: answered ${raw.status} with a body that is not JSON`;
      // Scrubbed before describeNonJson cuts an excerpt: a cut key would no longer match whole.
      const excerpt = describeNonJson(this.parts.scrub(raw.text));
      throw new ProviderError('malformed', `${summary}: ${excerpt}`, undefined, summary);
    }
    return body;
  }
}

/**
 * An error the provider's body told of keeps the provider's words in its message, and gets a
 * summary without them: the status and the kind of error.
 */
function summarizedWithoutBody(
  error: ProviderError | undefined,
  body: unknown,
  answered: string,
): ProviderError | undefined {
  if (!error || body === undefined) return error;
  const summary = `${answered} with an error in its body (${error.kind})`;
  return new ProviderError(error.kind, error.message, error.retryAfterMs, summary);
}

/** The server's Retry-After header beats any default hint the body classifier chose. */
function withRetryAfter(error: ProviderError, headerMs: number | undefined): ProviderError {
  if (headerMs === undefined || headerMs === error.retryAfterMs) return error;
  return new ProviderError(error.kind, error.message, headerMs, error.summary);
}

export function asProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError('transient', `unexpected failure: ${message}`);
}

export function scrubbed(error: ProviderError, scrub: Scrubber): ProviderError {
  const [message, summary] = [scrub(error.message), scrub(error.summary)];
  return message === error.message && summary === error.summary
    ? error
    : new ProviderError(error.kind, message, error.retryAfterMs, summary);
}

export function joinUrl(baseUrl: string, path: string, query: QueryParams): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const url = new URL(path.replace(/^\//, ''), base);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}
