import type { Provider } from '@cryptoviz/resources';
import type { HttpClient, HttpDialect } from './http-client.ts';
import type { RateLimits } from './rate-limiter.ts';
import type { Parsed } from './ticks.ts';

export type HttpProviderName = Exclude<Provider, 'synthetic' | 'replay'>;

/** What an adapter needs to read a payload: the request's context the payload may lack. */
export interface ParseContext {
  /** Our symbols asked for; undefined reads a saved payload whole. */
  symbols?: readonly string[];
  /** Our quote currency (USD), which adapters map to the provider's (USDT on Binance). */
  quote: string;
  /** `spec.symbolMap`: our symbol → the provider's id, over the built-in table. */
  symbolMap: Readonly<Record<string, string>>;
  now: number;
  /** Candle spacing for payloads that do not state it (Kraken OHLC, Coinbase candles). */
  candleIntervalMs?: number;
}

/** A live call's context: symbols are always known. */
export interface PollContext extends ParseContext {
  symbols: readonly string[];
}

export interface Connection {
  baseUrl: string;
  headers: Record<string, string>;
  limits: RateLimits;
}

/** Ticks from candles over the last `hours`, where the provider has history. */
export type Backfill = (
  http: HttpClient,
  context: PollContext,
  hours: number,
  signal: AbortSignal,
) => Promise<Parsed>;

/**
 * Everything provider-specific; the shared HTTP provider does the rest (limits, retries,
 * breaker, validation, stats). `parse` serves both live polls and saved payloads, so it
 * recognises every shape the provider sends.
 */
export interface ProviderAdapter {
  readonly provider: HttpProviderName;
  readonly dialect: HttpDialect;
  /** Base URL, auth headers and documented limits, which can depend on the key (plans). */
  connection(apiKey: string | undefined, endpoint: string | undefined): Connection;
  parse(body: unknown, context: ParseContext): Parsed;
  poll(http: HttpClient, context: PollContext, signal: AbortSignal): Promise<Parsed>;
  backfill?: Backfill;
  /** A check before any request, e.g. a key the provider always requires. */
  preflight?(apiKey: string | undefined): void;
}
