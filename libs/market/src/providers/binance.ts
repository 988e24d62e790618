import { z } from 'zod';
import { ProviderError } from './provider.ts';
import type { Backfill, ParseContext, PollContext, ProviderAdapter } from './http/adapter.ts';
import { candlesToCandidates, chooseCandleInterval, type Candle } from './http/candles.ts';
import type { HttpClient } from './http/http-client.ts';
import { PairBook, type PairStyle } from './http/pairs.ts';
import { perSymbol } from './http/per-symbol.ts';
import {
  epochMillis,
  isObject,
  numeric,
  optionalNumber,
  parseEntry,
  parseEnvelope,
  type Reading,
} from './http/schemas.ts';
import { noteIgnored, type Parsed, type TickCandidate } from './http/ticks.ts';

const DEFAULT_BASE_URL = 'https://api.binance.com';
/** REQUEST_WEIGHT limit per IP per minute, as /api/v3/exchangeInfo states it. */
const WEIGHT_PER_MINUTE = 6000;
const KLINES_WEIGHT = 2;
const KLINES_LIMIT = 1000;
const MINUTE = 60_000;
const KLINE_INTERVALS: Record<string, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 240 * MINUTE,
  '1d': 1440 * MINUTE,
};

/** `/api/v3/ticker/24hr` costs more the more symbols one request names. */
export function ticker24hrWeight(symbolCount: number): number {
  if (symbolCount <= 20) return 2;
  if (symbolCount <= 100) return 40;
  return 80;
}

const pairStyle: PairStyle = {
  assets: {},
  // Binance lists no USD pairs; USDT is the dollar it trades in.
  quotes: { USD: 'USDT' },
  join: (base, quote) => `${base}${quote}`,
  baseOf: (pair, quote) =>
    pair.length > quote.length && pair.toUpperCase().endsWith(quote.toUpperCase())
      ? pair.slice(0, pair.length - quote.length)
      : undefined,
};

const ticker24hrSchema = z.looseObject({
  symbol: z.string(),
  lastPrice: numeric,
  priceChangePercent: optionalNumber('priceChangePercent'),
  /** 24 h traded value in the quote asset. */
  quoteVolume: optionalNumber('quoteVolume'),
  closeTime: epochMillis,
});
const tickerPriceSchema = z.looseObject({ symbol: z.string(), price: numeric });
/** Only what a tick takes is read: open, high, low and base volume may be anything. */
const klineSchema = z
  .tuple([
    epochMillis, // open time
    z.unknown(), // open
    z.unknown(), // high
    z.unknown(), // low
    numeric, // close
    z.unknown(), // base volume
    epochMillis, // close time (last millisecond of the candle)
    optionalNumber('klines.quoteVolume'),
  ])
  .rest(z.unknown());
const errorSchema = z.looseObject({ code: z.number(), msg: z.string() });

/** Binance error codes (errors.md) by what a user can do about them. */
function classifyBody(body: unknown, status: number | undefined): ProviderError | undefined {
  // 403 is Binance's firewall and 418 an IP ban for ignoring 429s: both mean slow down.
  if (status === 403 || status === 418) {
    return new ProviderError(
      'rate-limited',
      `binance HTTP ${status}: request rate refused`,
      120_000,
    );
  }
  const parsed = errorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { code, msg } = parsed.data;
  const what = `binance error ${code} "${msg}"`;
  if (code === -1121 || code === -1122) return new ProviderError('unknown-symbol', what);
  if (code === -1003 || status === 429) {
    return new ProviderError('rate-limited', what, 60_000);
  }
  if (code === -2014 || code === -2015 || code === -1002) return new ProviderError('auth', what);
  if (code === -1000 || code === -1001 || code === -1006 || code === -1007 || code === -1008) {
    return new ProviderError('transient', what);
  }
  return new ProviderError('config', what);
}

function detect(body: unknown): string {
  const entries = Array.isArray(body) ? (body as unknown[]) : [body];
  if (Array.isArray(entries[0])) return 'klines';
  // Any entry tells the shape: the first may be the one that lost a field.
  const has = (key: string) => entries.some((entry) => isObject(entry) && key in entry);
  if (has('lastPrice')) return Array.isArray(body) ? 'ticker/24hr (array)' : 'ticker/24hr';
  if (has('price')) return Array.isArray(body) ? 'ticker/price (array)' : 'ticker/price';
  if (Array.isArray(body) && body.length === 0) return 'ticker/24hr (array)';
  throw new ProviderError('malformed', 'not a Binance payload this adapter knows');
}

function parse(body: unknown, context: ParseContext): Parsed {
  const shape = detect(body);
  const pairs = new PairBook(pairStyle, context.symbolMap, context.quote);
  if (shape === 'klines') return parseKlines(body, context, pairs);
  const entries = Array.isArray(body) ? (body as unknown[]) : [body];
  const read = shape.startsWith('ticker/24hr')
    ? (entry: unknown) => mapEntry(ticker24hrSchema, entry, from24hr)
    : (entry: unknown) => mapEntry(tickerPriceSchema, entry, fromPrice(context.now));
  const parsed: Parsed = { shape, candidates: [], skipped: [] };
  for (const entry of entries) {
    const pair = isObject(entry) && typeof entry.symbol === 'string' ? entry.symbol : undefined;
    const symbol = pair === undefined ? undefined : pairs.symbolOf(pair, context.symbols);
    if (pair !== undefined && symbol === undefined) {
      // Not asked for (a full listing), or quoted in another asset.
      if (!context.symbols) {
        parsed.skipped.push({ symbol: pair, reason: `not a ${pairs.quoteId} pair (pass --quote)` });
      }
      continue;
    }
    const reading = read(entry);
    noteIgnored(parsed, reading);
    if (!reading.ok) parsed.skipped.push({ symbol, reason: reading.reason });
    else parsed.candidates.push({ symbol: symbol!, ...reading.value });
  }
  return parsed;
}

type Numbers = Omit<TickCandidate, 'symbol'>;

function mapEntry<S extends z.ZodType>(
  schema: S,
  entry: unknown,
  convert: (value: z.output<S>) => Numbers,
): Reading<Numbers> {
  const read = parseEntry(schema, entry);
  return read.ok ? { ...read, value: convert(read.value) } : read;
}

function from24hr(entry: z.output<typeof ticker24hrSchema>): Numbers {
  return {
    price: entry.lastPrice,
    volume24h: entry.quoteVolume,
    marketCap: null,
    change24hPct: entry.priceChangePercent,
    timeMs: entry.closeTime,
  };
}

/** ticker/price has no time of its own: it is the price as of the response. */
function fromPrice(now: number) {
  return (entry: z.output<typeof tickerPriceSchema>): Numbers => ({
    price: entry.price,
    volume24h: null,
    marketCap: null,
    change24hPct: null,
    timeMs: now,
  });
}

function parseKlines(body: unknown, context: ParseContext, pairs: PairBook): Parsed {
  const rows = parseEnvelope(z.array(z.unknown()), body, 'Binance klines');
  const symbol = context.symbols?.length === 1 ? context.symbols[0]! : undefined;
  if (symbol === undefined) {
    throw new ProviderError(
      'config',
      `klines do not name their pair (${pairs.quoteId}): give one symbol`,
    );
  }
  const parsed: Parsed = { shape: 'klines', candidates: [], skipped: [], series: true };
  const candles: Candle[] = [];
  for (const row of rows) {
    const read = parseEntry(klineSchema, row);
    noteIgnored(parsed, read);
    if (!read.ok) {
      parsed.skipped.push({ symbol, reason: read.reason });
      continue;
    }
    const [openMs, , , , close, , closeTime, quoteVolume] = read.value;
    candles.push({ openMs, closeMs: closeTime + 1, close, quoteVolume });
  }
  parsed.candidates = candlesToCandidates(symbol, candles, context.now);
  return parsed;
}

async function poll(http: HttpClient, context: PollContext, signal: AbortSignal): Promise<Parsed> {
  const pairs = new PairBook(pairStyle, context.symbolMap, context.quote);
  const names = context.symbols.map((symbol) => pairs.pairOf(symbol));
  const body = await http.getJson(
    '/api/v3/ticker/24hr',
    // A one-element `symbols` list answers with an array too, so one shape serves every poll.
    { symbols: JSON.stringify(names) },
    { weight: ticker24hrWeight(names.length), signal },
  );
  return parse(body, { ...context, now: http.now() });
}

const backfill: Backfill = async (http, context, hours, signal) => {
  const pairs = new PairBook(pairStyle, context.symbolMap, context.quote);
  const intervalMs = chooseCandleInterval(hours, Object.values(KLINE_INTERVALS), KLINES_LIMIT);
  const interval = Object.keys(KLINE_INTERVALS).find((key) => KLINE_INTERVALS[key] === intervalMs)!;
  const startTime = context.now - hours * 3_600_000;
  return perSymbol(
    context.symbols,
    async (symbol) => {
      const body = await http.getJson(
        '/api/v3/klines',
        { symbol: pairs.pairOf(symbol), interval, startTime, limit: KLINES_LIMIT },
        { weight: KLINES_WEIGHT, signal },
      );
      return parseKlines(body, { ...context, symbols: [symbol] }, pairs);
    },
    'klines',
  );
};

export const binanceAdapter: ProviderAdapter = {
  provider: 'binance',
  dialect: {
    classifyBody,
    observeResponse(headers, limiter) {
      const used = Number(headers.get('x-mbx-used-weight-1m'));
      if (Number.isFinite(used) && used > 0) limiter.syncUsedWeight(used, WEIGHT_PER_MINUTE);
    },
  },
  connection(apiKey, endpoint) {
    // Market data is public; a key only attributes the traffic to an account.
    const headers: Record<string, string> = apiKey ? { 'X-MBX-APIKEY': apiKey } : {};
    return {
      baseUrl: endpoint ?? DEFAULT_BASE_URL,
      headers,
      limits: { weightPerMinute: WEIGHT_PER_MINUTE, burst: 1200 },
    };
  },
  parse,
  poll,
  backfill,
};
