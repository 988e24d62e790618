import { z } from 'zod';
import { ProviderError } from './provider.ts';
import type { Backfill, ParseContext, PollContext, ProviderAdapter } from './http/adapter.ts';
import { candlesToCandidates, chooseCandleInterval } from './http/candles.ts';
import { readSecondsCandles } from './http/candle-rows.ts';
import type { HttpClient } from './http/http-client.ts';
import { PairBook, type PairStyle } from './http/pairs.ts';
import { perSymbol } from './http/per-symbol.ts';
import {
  epochSeconds,
  isObject,
  jsonObject,
  numeric,
  optionalField,
  optionalNumber,
  parseEntry,
  parseEnvelope,
} from './http/schemas.ts';
import { noteIgnored, type Parsed } from './http/ticks.ts';

const DEFAULT_BASE_URL = 'https://api.kraken.com';
/** OHLC intervals Kraken serves, in minutes; it returns at most 720 candles per call. */
const OHLC_INTERVALS_MIN = [1, 5, 15, 30, 60, 240, 1440];
const OHLC_MAX_CANDLES = 720;

/**
 * Kraken's pair names: BTC is XBT and DOGE is XDG; assets listed before 2018 carry an X
 * (crypto) or Z (fiat) prefix in result keys, so XBTUSD comes back as XXBTZUSD.
 */
export const krakenPairStyle: PairStyle = {
  assets: { BTC: 'XBT', DOGE: 'XDG' },
  quotes: {},
  join: (base, quote) => `${base}${quote}`,
  baseOf: (pair, quote) => {
    const upper = pair.toUpperCase();
    const q = quote.toUpperCase();
    // Legacy names pair a four-letter X-asset with a Z- (fiat) or X- (crypto) quote: XXBTZUSD.
    // Only then is the prefix part of the quote: XTZUSD is Tezos in USD, not "XT" in ZUSD.
    for (const suffix of [`Z${q}`, `X${q}`]) {
      const base = upper.slice(0, -suffix.length);
      if (upper.endsWith(suffix) && base.length === 4 && base.startsWith('X')) return base.slice(1);
    }
    return upper.length > q.length && upper.endsWith(q) ? upper.slice(0, -q.length) : undefined;
  },
  aliases: (base, quote) => [`X${base}Z${quote}`, `X${base}X${quote}`, `${base}Z${quote}`],
};

const envelopeSchema = z.looseObject({ error: z.array(z.string()), result: jsonObject });
/** Two-element fields are [today, last 24 hours]; only the 24 h one is read. */
const last24h = z.tuple([z.unknown(), numeric]).rest(z.unknown());
const tickerSchema = z.looseObject({
  c: z.tuple([numeric]).rest(z.unknown()), // last trade: price, lot volume
  v: optionalField(last24h, 'v'), // volume in the base asset
  p: optionalField(last24h, 'p'), // volume-weighted average price
});
/** Only what a tick takes is read: open, high, low and the trade count may be anything. */
const ohlcRowSchema = z
  .tuple([
    epochSeconds.pipe(z.int()), // open time, seconds
    z.unknown(), // open
    z.unknown(), // high
    z.unknown(), // low
    numeric, // close
    optionalNumber('ohlc.vwap'),
    optionalNumber('ohlc.volume'), // base asset
  ])
  .rest(z.unknown()); // trade count

function classifyBody(body: unknown): ProviderError | undefined {
  if (!isObject(body) || !Array.isArray(body.error)) return undefined;
  // Entries starting with W are warnings that come with a usable result.
  const errors = body.error.filter(
    (entry): entry is string => typeof entry === 'string' && !entry.startsWith('W'),
  );
  if (errors.length === 0) return undefined;
  const text = errors.join('; ');
  const what = `kraken error "${text}"`;
  if (/Unknown asset pair/i.test(text)) return new ProviderError('unknown-symbol', what);
  if (/Rate limit exceeded|Too many requests/i.test(text)) {
    return new ProviderError('rate-limited', what, 10_000);
  }
  if (/^EService:|Internal error/i.test(text)) return new ProviderError('transient', what);
  if (/Invalid key|Invalid signature|Invalid nonce|Permission denied/i.test(text)) {
    return new ProviderError('auth', what);
  }
  return new ProviderError('config', what);
}

function parse(body: unknown, context: ParseContext): Parsed {
  const { result } = parseEnvelope(envelopeSchema, body, 'Kraken response');
  // OHLC results carry a `last` cursor beside the pair's rows.
  const entries = Object.entries(result).filter(([key]) => key !== 'last');
  const ohlc = entries.some(([, value]) => Array.isArray(value));
  const pairs = new PairBook(krakenPairStyle, context.symbolMap, context.quote);
  const parsed: Parsed = {
    shape: ohlc ? 'OHLC' : 'Ticker',
    candidates: [],
    skipped: [],
    series: ohlc,
  };
  for (const [key, value] of entries) {
    const symbol =
      pairs.symbolOf(key, context.symbols) ??
      // One pair asked, one answered: Kraken's own spelling of it (symbolMap pairs).
      (context.symbols?.length === 1 && entries.length === 1 ? context.symbols[0] : undefined);
    if (symbol === undefined) {
      if (!context.symbols) {
        parsed.skipped.push({ symbol: key, reason: `not a ${pairs.quoteId} pair (pass --quote)` });
      }
      continue;
    }
    if (ohlc) readOhlc(parsed, symbol, value, context);
    else readTicker(parsed, symbol, value, context.now);
  }
  return parsed;
}

function readTicker(parsed: Parsed, symbol: string, value: unknown, now: number): void {
  const read = parseEntry(tickerSchema, value);
  noteIgnored(parsed, read);
  if (!read.ok) {
    parsed.skipped.push({ symbol, reason: read.reason });
    return;
  }
  const { c, v, p } = read.value;
  parsed.candidates.push({
    symbol,
    price: c[0],
    // Base volume times its VWAP is exactly the value traded, in the quote currency.
    volume24h: v && p ? v[1] * p[1] : null,
    marketCap: null,
    // Kraken's `o` is today's open (since 00:00 UTC), not 24 h ago: no honest 24 h change.
    change24hPct: null,
    // The ticker carries no timestamp; it is the state as of the response.
    timeMs: now,
  });
}

function readOhlc(parsed: Parsed, symbol: string, value: unknown, context: ParseContext): void {
  const rows = Array.isArray(value) ? (value as unknown[]) : [];
  const { candles, skipped, ignoredFields } = readSecondsCandles(
    rows,
    ohlcRowSchema,
    ([, , , , close, vwap, volume]) => ({
      close,
      quoteVolume: vwap !== null && volume !== null ? volume * vwap : null,
    }),
    { symbol, knownIntervalMs: context.candleIntervalMs, what: 'Kraken OHLC' },
  );
  parsed.skipped.push(...skipped);
  (parsed.ignoredFields ??= []).push(...ignoredFields);
  parsed.candidates.push(...candlesToCandidates(symbol, candles, context.now));
}

async function poll(http: HttpClient, context: PollContext, signal: AbortSignal): Promise<Parsed> {
  const pairs = new PairBook(krakenPairStyle, context.symbolMap, context.quote);
  const pair = context.symbols.map((symbol) => pairs.pairOf(symbol)).join(',');
  const body = await http.getJson('/0/public/Ticker', { pair }, { signal });
  return parse(body, { ...context, now: http.now() });
}

const backfill: Backfill = async (http, context, hours, signal) => {
  const pairs = new PairBook(krakenPairStyle, context.symbolMap, context.quote);
  const intervalMs = chooseCandleInterval(
    hours,
    OHLC_INTERVALS_MIN.map((minutes) => minutes * 60_000),
    OHLC_MAX_CANDLES,
  );
  const since = Math.floor((context.now - hours * 3_600_000) / 1000);
  return perSymbol(
    context.symbols,
    async (symbol) => {
      const body = await http.getJson(
        '/0/public/OHLC',
        { pair: pairs.pairOf(symbol), interval: intervalMs / 60_000, since },
        { signal },
      );
      return parse(body, { ...context, symbols: [symbol], candleIntervalMs: intervalMs });
    },
    'OHLC',
  );
};

export const krakenAdapter: ProviderAdapter = {
  provider: 'kraken',
  dialect: { classifyBody },
  connection(_apiKey, endpoint) {
    // Public market data needs no key (Kraken's private API signs requests instead).
    return {
      baseUrl: endpoint ?? DEFAULT_BASE_URL,
      headers: {},
      limits: { requestsPerMinute: 60, burst: 3 },
    };
  },
  parse,
  poll,
  backfill,
};
