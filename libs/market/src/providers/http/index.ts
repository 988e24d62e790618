// The HTTP market-data providers and the machinery they share.
export type { HttpProviderName, ParseContext, PollContext, ProviderAdapter } from './adapter.ts';
export { HTTP_PROVIDER_ADAPTERS, isHttpProvider } from './adapters.ts';
export { chooseCandleInterval, candlesToCandidates, type Candle } from './candles.ts';
export { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts';
export { systemClock, type Clock } from './clock.ts';
export {
  MAX_BACKFILL_HOURS,
  planBackfill,
  stalestOf,
  ticksAfter,
  type BackfillPlan,
  type GapInput,
  type StoredTickTimes,
} from './gaps.ts';
export {
  createHttpProvider,
  hasStats,
  HTTP_DEFAULTS,
  type HttpProviderOptions,
  type HttpTickProvider,
} from './http-provider.ts';
export { parseSavedBody, type SavedBodyOptions } from './parse-saved.ts';
export { ProviderRateLimiter, type RateLimits } from './rate-limiter.ts';
export { parseRetryAfter } from './retry-after.ts';
export {
  providerStatsSchema,
  StatsRecorder,
  type CircuitState,
  type ProviderStats,
} from './stats.ts';
export { TokenBucket } from './token-bucket.ts';
export { binanceAdapter, ticker24hrWeight } from '../binance.ts';
export { coinbaseAdapter } from '../coinbase.ts';
export { coingeckoAdapter, COINGECKO_IDS } from '../coingecko.ts';
export { coinmarketcapAdapter } from '../coinmarketcap.ts';
export { krakenAdapter } from '../kraken.ts';
