import { z } from 'zod';
import { ProviderError } from './provider.ts';
import type { Backfill, ParseContext, PollContext, ProviderAdapter } from './http/adapter.ts';
import {
  candlesToCandidates,
  candleWindows,
  chooseCandleInterval,
  type Candle,
} from './http/candles.ts';
import { readSecondsCandles } from './http/candle-rows.ts';
import type { HttpClient } from './http/http-client.ts';
import { PairBook, type PairStyle } from './http/pairs.ts';
import { perSymbol } from './http/per-symbol.ts';
import {
  epochSeconds,
  isObject,
  numeric,
  ok,
  optionalNumber,
  parseEntry,
  parseEnvelope,
  type Reading,
} from './http/schemas.ts';
import type { Parsed, TickCandidate } from './http/ticks.ts';

const DEFAULT_BASE_URL = 'https://api.exchange.coinbase.com';
const GRANULARITIES_S = [60, 300, 900, 3600, 21600, 86400];
/** Coinbase answers at most 300 candles per request, so longer backfills page. */
const CANDLES_PER_REQUEST = 300;

const pairStyle: PairStyle = {
  assets: {},
  quotes: {},
  join: (base, quote) => `${base}-${quote}`,
  isPair: (value) => value.includes('-'),
  baseOf: (pair, quote) => {
    const suffix = `-${quote}`.toUpperCase();
    const upper = pair.toUpperCase();
    return upper.length > suffix.length && upper.endsWith(suffix)
      ? pair.slice(0, pair.length - suffix.length)
      : undefined;
  },
};

const timestamp = z.iso.datetime({ offset: true }).transform((text) => Date.parse(text));
const tickerSchema = z.looseObject({
  price: numeric,
  /** 24 h volume in the base asset. */
  volume: optionalNumber('volume'),
  time: timestamp,
});
const statsSchema = z.looseObject({
  /** The price 24 hours ago. */
  open: optionalNumber('open'),
  last: numeric,
  /** 24 h volume in the base asset. */
  volume: optionalNumber('volume'),
});
/** Only what a tick takes is read: low, high and open may be anything. */
const candleSchema = z.tuple([
  epochSeconds.pipe(z.int()), // bucket start, seconds
  z.unknown(), // low
  z.unknown(), // high
  z.unknown(), // open
  numeric, // close
  optionalNumber('candles.volume'), // volume, base asset
]);
const errorSchema = z.strictObject({ message: z.string() });

function classifyBody(body: unknown, status: number | undefined): ProviderError | undefined {
  const parsed = errorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { message } = parsed.data;
  const what = `coinbase error "${message}"`;
  if (status === 404 || /not ?found/i.test(message))
    return new ProviderError('unknown-symbol', what);
  if (status === 429 || /rate limit/i.test(message))
    return new ProviderError('rate-limited', what, 1_000);
  if (status === 401 || status === 403 || /unauthori[sz]ed|invalid (api )?key/i.test(message)) {
    return new ProviderError('auth', what);
  }
  if (status !== undefined && status >= 500) return new ProviderError('transient', what);
  return new ProviderError('config', what);
}

/** Coinbase's single-product payloads never name the product; the caller must. */
function onlySymbol(context: ParseContext, what: string): string {
  if (context.symbols?.length === 1) return context.symbols[0]!;
  throw new ProviderError(
    'config',
    `Coinbase ${what} does not name its product: give exactly one symbol (--symbols BTC)`,
  );
}

function parse(body: unknown, context: ParseContext): Parsed {
  if (Array.isArray(body)) {
    const symbol = onlySymbol(context, 'candles');
    return candlesParsed(symbol, readCandles(body, symbol, context.candleIntervalMs), context.now);
  }
  if (isObject(body) && 'price' in body) {
    const symbol = onlySymbol(context, 'ticker');
    return single('ticker', symbol, readTicker(body), context.now);
  }
  if (isObject(body) && 'last' in body) {
    const symbol = onlySymbol(context, 'stats');
    const stats = readStats(body);
    if (!stats.ok) return single('stats', symbol, stats, context.now);
    const { open: _open, ...numbers } = stats.value;
    return single('stats', symbol, ok(numbers, stats.ignored), context.now);
  }
  throw new ProviderError('malformed', 'not a Coinbase payload this adapter knows');
}

/** Candles read from one page (a saved body) or all of a backfill's, as ticks. */
function candlesParsed(
  symbol: string,
  { candles, skipped, ignoredFields }: ReturnType<typeof readCandles>,
  now: number,
): Parsed {
  return {
    shape: 'candles',
    candidates: candlesToCandidates(symbol, candles, now),
    skipped,
    series: true,
    ignoredFields,
  };
}

function single(
  shape: string,
  symbol: string,
  reading: Reading<Omit<TickCandidate, 'symbol' | 'timeMs'> & { timeMs?: number }>,
  now: number,
  ignored: string[] = [],
): Parsed {
  const ignoredFields = [...ignored, ...((reading.ok && reading.ignored) || [])];
  if (!reading.ok) {
    return { shape, candidates: [], skipped: [{ symbol, reason: reading.reason }], ignoredFields };
  }
  const candidate = { symbol, timeMs: now, ...reading.value };
  return { shape, candidates: [candidate], skipped: [], ignoredFields };
}

/** Base volume at a price: the value traded in the quote currency, when both are known. */
function quoteValue(volume: number | null, price: number): number | null {
  return volume === null ? null : volume * price;
}

function readTicker(body: unknown) {
  const read = parseEntry(tickerSchema, body);
  if (!read.ok) return read;
  const { price, volume, time } = read.value;
  // The ticker's volume is in the base asset; at the last price it is the quote value.
  return ok(
    {
      price,
      volume24h: quoteValue(volume, price),
      marketCap: null,
      change24hPct: null,
      timeMs: time,
    },
    read.ignored,
  );
}

function readStats(body: unknown) {
  const read = parseEntry(statsSchema, body);
  if (!read.ok) return read;
  const { open, last, volume } = read.value;
  return ok(
    {
      price: last,
      volume24h: quoteValue(volume, last),
      marketCap: null,
      change24hPct: changePct(last, open),
      open,
    },
    read.ignored,
  );
}

function changePct(price: number, open: number | null): number | null {
  return open !== null && open > 0 ? (price / open - 1) * 100 : null;
}

function readCandles(rows: unknown[], symbol: string, knownIntervalMs: number | undefined) {
  return readSecondsCandles(
    rows,
    candleSchema,
    ([, , , , close, volume]) => ({
      close,
      // Candles give base volume only; at the close it approximates the quote value traded.
      quoteVolume: quoteValue(volume, close),
    }),
    { symbol, knownIntervalMs, what: 'Coinbase candles' },
  );
}

function productPath(product: string, what: 'ticker' | 'stats' | 'candles'): string {
  return `/products/${encodeURIComponent(product)}/${what}`;
}

async function poll(http: HttpClient, context: PollContext, signal: AbortSignal): Promise<Parsed> {
  const pairs = new PairBook(pairStyle, context.symbolMap, context.quote);
  return perSymbol(
    context.symbols,
    async (symbol) => {
      const product = pairs.pairOf(symbol);
      const [tickerBody, statsBody] = await Promise.all([
        http.getJson(productPath(product, 'ticker'), {}, { signal }),
        http.getJson(productPath(product, 'stats'), {}, { signal }),
      ]);
      const ticker = readTicker(tickerBody);
      if (!ticker.ok) return single('ticker+stats', symbol, ticker, context.now);
      // The stats only add the 24 h change: without them the ticker still makes a tick.
      const stats = readStats(statsBody);
      const ignored = stats.ok ? (stats.ignored ?? []) : ['stats'];
      const change24hPct = stats.ok ? changePct(ticker.value.price, stats.value.open) : null;
      const reading = ok({ ...ticker.value, change24hPct }, ticker.ignored);
      return single('ticker+stats', symbol, reading, context.now, ignored);
    },
    'ticker+stats',
  );
}

const backfill: Backfill = async (http, context, hours, signal) => {
  const pairs = new PairBook(pairStyle, context.symbolMap, context.quote);
  const intervalMs = chooseCandleInterval(
    hours,
    GRANULARITIES_S.map((s) => s * 1000),
  );
  const windows = candleWindows(
    context.now - hours * 3_600_000,
    context.now,
    intervalMs,
    CANDLES_PER_REQUEST,
  );
  return perSymbol(
    context.symbols,
    async (symbol) => {
      const product = pairs.pairOf(symbol);
      const candles: Candle[] = [];
      const skipped: Parsed['skipped'] = [];
      const ignoredFields: string[] = [];
      for (const window of windows) {
        const body = await http.getJson(
          productPath(product, 'candles'),
          {
            granularity: intervalMs / 1000,
            start: new Date(window.startMs).toISOString(),
            end: new Date(window.endMs).toISOString(),
          },
          { signal },
        );
        const rows = parseEnvelope(z.array(z.unknown()), body, 'Coinbase candles');
        const page = readCandles(rows, symbol, intervalMs);
        candles.push(...page.candles);
        skipped.push(...page.skipped);
        ignoredFields.push(...page.ignoredFields);
      }
      // Converted once per symbol so 24 h windows span page boundaries.
      return candlesParsed(symbol, { candles, skipped, ignoredFields }, context.now);
    },
    'candles',
  );
};

export const coinbaseAdapter: ProviderAdapter = {
  provider: 'coinbase',
  dialect: { classifyBody },
  connection(_apiKey, endpoint) {
    // Exchange market data is public; authenticated calls need a signature, not a header.
    return {
      baseUrl: endpoint ?? DEFAULT_BASE_URL,
      headers: {},
      // Documented: 10 requests/s per IP, bursts up to 15.
      limits: { requestsPerMinute: 600, burst: 15 },
    };
  },
  parse,
  poll,
  backfill,
};
