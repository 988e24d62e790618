import { z } from 'zod';
import { ProviderError } from './provider.ts';
import type { ParseContext, PollContext, ProviderAdapter } from './http/adapter.ts';
import type { HttpClient } from './http/http-client.ts';
import { isObject, numeric, optionalNumber, parseEntry, parseEnvelope } from './http/schemas.ts';
import { SymbolBook } from './http/symbols.ts';
import { noteIgnored, type Parsed } from './http/ticks.ts';

const DEFAULT_BASE_URL = 'https://pro-api.coinmarketcap.com';
const MINUTE = 60_000;

const timestamp = z.iso.datetime({ offset: true }).transform((text) => Date.parse(text));
const statusSchema = z.looseObject({
  error_code: z.number(),
  error_message: z.string().nullish(),
  timestamp: timestamp.optional(),
});
const envelopeSchema = z.looseObject({
  status: statusSchema.optional(),
  data: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]),
});
/** The times are the tick's where the payload has them, so a bad one drops the entry. */
const coinSchema = z.looseObject({
  symbol: z.string(),
  last_updated: timestamp.nullish(),
  quote: z.record(z.string(), z.unknown()),
});
const quoteSchema = z.looseObject({
  price: numeric,
  volume_24h: optionalNumber('volume_24h'),
  market_cap: optionalNumber('market_cap'),
  percent_change_24h: optionalNumber('percent_change_24h'),
  last_updated: timestamp.nullish(),
});

/** Credits, plans and keys: CoinMarketCap's error codes by what a user can do about them. */
const AUTH_CODES = new Set([1001, 1002, 1003, 1004, 1005, 1006, 1007]);

function classifyBody(body: unknown, httpStatus: number | undefined): ProviderError | undefined {
  const parsed = z.looseObject({ status: statusSchema }).safeParse(body);
  if (!parsed.success || parsed.data.status.error_code === 0) return undefined;
  const { error_code: code, error_message: message } = parsed.data.status;
  const what = `coinmarketcap error ${code} "${message ?? ''}"`;
  if (AUTH_CODES.has(code)) return new ProviderError('auth', what);
  // 1008: per-minute limit ("reset every minute"); 1011: per-IP limit.
  if (code === 1008 || code === 1011) return new ProviderError('rate-limited', what, MINUTE);
  if (code === 1009) return new ProviderError('rate-limited', what, untilNextUtcDay());
  if (code === 1010) return new ProviderError('rate-limited', what, untilNextUtcMonth());
  if (/invalid values? for "(symbol|id|slug)"/i.test(message ?? '')) {
    return new ProviderError('unknown-symbol', what);
  }
  if (code >= 500 || (httpStatus !== undefined && httpStatus >= 500)) {
    return new ProviderError('transient', what);
  }
  return new ProviderError('config', what);
}

function untilNextUtcDay(now = Date.now()): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return next.getTime() - now;
}

function untilNextUtcMonth(now = Date.now()): number {
  const next = new Date(now);
  next.setUTCMonth(next.getUTCMonth() + 1, 1);
  next.setUTCHours(0, 0, 0, 0);
  return next.getTime() - now;
}

/**
 * listings/latest has `data: [coin]`; quotes/latest v1 and v2-by-id have `data: {key: coin}`;
 * v2 by symbol has `data: {SYMBOL: [coin, …]}`, every coin sharing that ticker.
 */
function parse(body: unknown, context: ParseContext): Parsed {
  const envelope = parseEnvelope(envelopeSchema, body, 'CoinMarketCap response');
  const { data } = envelope;
  const values = Array.isArray(data) ? data : Object.values(data);
  const bySymbol = values.length > 0 && values.every(Array.isArray);
  const shape = Array.isArray(data)
    ? 'listings/latest'
    : bySymbol
      ? 'quotes/latest v2 (by symbol)'
      : values.some((coin) => isObject(coin) && 'is_active' in coin)
        ? 'quotes/latest v2 (by id)'
        : 'quotes/latest v1';
  const coins = bySymbol ? values.map((group) => bestRanked(group as unknown[])) : values;
  const parsed: Parsed = { shape, candidates: [], skipped: [] };
  const book = new SymbolBook({}, context.symbolMap);
  for (const coin of coins) {
    readCoin(parsed, coin, context, book, envelope.status?.timestamp);
  }
  return parsed;
}

/** Several coins can share a ticker; the best-ranked one is the one people mean. */
function bestRanked(group: unknown[]): unknown {
  const rank = (coin: unknown) =>
    isObject(coin) && typeof coin.cmc_rank === 'number' ? coin.cmc_rank : Number.POSITIVE_INFINITY;
  return [...group].sort((a, b) => rank(a) - rank(b))[0];
}

function readCoin(
  parsed: Parsed,
  coin: unknown,
  context: ParseContext,
  book: SymbolBook,
  responseTime: number | undefined,
): void {
  const ticker = isObject(coin) && typeof coin.symbol === 'string' ? coin.symbol : undefined;
  const symbol =
    ticker === undefined
      ? undefined
      : context.symbols
        ? context.symbols.find((ours) => (book.idOf(ours) ?? ours) === ticker.toUpperCase())
        : (book.symbolOf(ticker) ?? ticker.toUpperCase());
  if (symbol === undefined && context.symbols) return;
  const read = parseEntry(coinSchema, coin);
  if (!read.ok) {
    parsed.skipped.push({ symbol, reason: read.reason });
    return;
  }
  const quotes = read.value.quote;
  const quote = parseEntry(quoteSchema, quotes[context.quote]);
  if (!quote.ok) {
    const has = Object.keys(quotes).join(', ') || 'none';
    const reason =
      quotes[context.quote] === undefined
        ? `no ${context.quote} quote (has ${has}; pass --quote)`
        : quote.reason;
    parsed.skipped.push({ symbol, reason });
    return;
  }
  noteIgnored(parsed, quote);
  const q = quote.value;
  parsed.candidates.push({
    symbol: symbol!,
    price: q.price,
    volume24h: q.volume_24h,
    marketCap: q.market_cap,
    change24hPct: q.percent_change_24h,
    timeMs: q.last_updated ?? read.value.last_updated ?? responseTime ?? context.now,
  });
}

async function poll(http: HttpClient, context: PollContext, signal: AbortSignal): Promise<Parsed> {
  const book = new SymbolBook({}, context.symbolMap);
  const body = await http.getJson(
    '/v2/cryptocurrency/quotes/latest',
    {
      symbol: context.symbols.map((symbol) => book.idOf(symbol) ?? symbol).join(','),
      convert: context.quote,
      // One unknown symbol would otherwise fail the whole request.
      skip_invalid: 'true',
    },
    { signal },
  );
  return parse(body, { ...context, now: http.now() });
}

export const coinmarketcapAdapter: ProviderAdapter = {
  provider: 'coinmarketcap',
  dialect: { classifyBody },
  connection(apiKey, endpoint) {
    const headers: Record<string, string> = apiKey ? { 'X-CMC_PRO_API_KEY': apiKey } : {};
    // The Basic plan allows 30 requests a minute; paid plans set spec.rateLimit.
    return {
      baseUrl: endpoint ?? DEFAULT_BASE_URL,
      headers,
      limits: { requestsPerMinute: 30, burst: 5 },
    };
  },
  preflight(apiKey) {
    if (!apiKey) {
      throw new ProviderError('auth', 'CoinMarketCap needs an API key: set apiKeySecretRef');
    }
  },
  parse,
  poll,
  // Historical quotes need a paid plan, so there is no backfill.
};
