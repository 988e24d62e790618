import { z } from 'zod';
import { ProviderError } from './provider.ts';
import type { Backfill, ParseContext, PollContext, ProviderAdapter } from './http/adapter.ts';
import { candlesToCandidates } from './http/candles.ts';
import type { HttpClient } from './http/http-client.ts';
import { perSymbol } from './http/per-symbol.ts';
import type { RateLimits } from './http/rate-limiter.ts';
import {
  epochSeconds,
  isObject,
  jsonObject,
  numeric,
  optionalNumber,
  parseEntry,
  parseEnvelope,
} from './http/schemas.ts';
import { SymbolBook } from './http/symbols.ts';
import { noteIgnored, type Parsed, type TickCandidate } from './http/ticks.ts';

const PUBLIC_BASE_URL = 'https://api.coingecko.com/api/v3';

/** CoinGecko names coins by id, not ticker; `spec.symbolMap` adds the rest. */
export const COINGECKO_IDS: Readonly<Record<string, string>> = {
  BTC: 'bitcoin',
  ETH: 'ethereum',
  USDT: 'tether',
  BNB: 'binancecoin',
  SOL: 'solana',
  XRP: 'ripple',
  USDC: 'usd-coin',
  ADA: 'cardano',
  DOGE: 'dogecoin',
  TRX: 'tron',
  TON: 'the-open-network',
  AVAX: 'avalanche-2',
  DOT: 'polkadot',
  LINK: 'chainlink',
  MATIC: 'matic-network',
  POL: 'polygon-ecosystem-token',
  LTC: 'litecoin',
  BCH: 'bitcoin-cash',
  SHIB: 'shiba-inu',
  XLM: 'stellar',
  ATOM: 'cosmos',
  UNI: 'uniswap',
  ETC: 'ethereum-classic',
  XMR: 'monero',
  FIL: 'filecoin',
  APT: 'aptos',
  ARB: 'arbitrum',
  OP: 'optimism',
  NEAR: 'near',
  ICP: 'internet-computer',
  DAI: 'dai',
  SUI: 'sui',
  PEPE: 'pepe',
  AAVE: 'aave',
  ALGO: 'algorand',
  HBAR: 'hedera-hashgraph',
  VET: 'vechain',
  MKR: 'maker',
  XTZ: 'tezos',
  ZEC: 'zcash',
  DASH: 'dash',
  '1INCH': '1inch',
};

const timestamp = z.iso.datetime({ offset: true }).transform((text) => Date.parse(text));
/** `last_updated` is the tick's time where the payload has one, so a bad one drops the entry. */
const marketsEntrySchema = z.looseObject({
  id: z.string(),
  current_price: numeric,
  market_cap: optionalNumber('market_cap'),
  total_volume: optionalNumber('total_volume'),
  price_change_percentage_24h: optionalNumber('price_change_percentage_24h'),
  last_updated: timestamp.nullish(),
});
/** [close time ms, open, high, low, close]: only the time and the close are read. */
const ohlcRowSchema = z
  .tuple([numeric, z.unknown(), z.unknown(), z.unknown(), numeric])
  .rest(z.unknown());
const pointSchema = z.tuple([numeric, numeric.nullable()]);
const marketChartSchema = z.looseObject({
  prices: z.array(z.unknown()),
  market_caps: z.array(z.unknown()).optional(),
  total_volumes: z.array(z.unknown()).optional(),
});
const statusErrorSchema = z.looseObject({
  status: z.looseObject({ error_code: z.number(), error_message: z.string().nullish() }),
});
const plainErrorSchema = z.looseObject({ error: z.string() });

/** simple/price keys its numbers by the vs currency: `usd`, `usd_24h_vol`, … */
const simplePriceSchemas = new Map<string, z.ZodType<SimplePrice>>();
interface SimplePrice {
  price: number;
  marketCap: number | null;
  volume24h: number | null;
  change24hPct: number | null;
  updatedAt: number | undefined;
}
function simplePriceSchema(vs: string): z.ZodType<SimplePrice> {
  let schema = simplePriceSchemas.get(vs);
  if (!schema) {
    schema = z
      .looseObject({
        [vs]: numeric,
        // Labelled without the currency, so the counts of every quote add up.
        [`${vs}_market_cap`]: optionalNumber('<vs>_market_cap'),
        [`${vs}_24h_vol`]: optionalNumber('<vs>_24h_vol'),
        [`${vs}_24h_change`]: optionalNumber('<vs>_24h_change'),
        last_updated_at: epochSeconds.nullish(),
      })
      .transform((entry) => ({
        price: entry[vs] as number,
        marketCap: entry[`${vs}_market_cap`] as number | null,
        volume24h: entry[`${vs}_24h_vol`] as number | null,
        change24hPct: entry[`${vs}_24h_change`] as number | null,
        updatedAt: entry.last_updated_at ?? undefined,
      }));
    simplePriceSchemas.set(vs, schema);
  }
  return schema;
}

const AUTH_CODES = new Set([401, 403, 10002, 10005, 10010, 10011]);

function classifyBody(body: unknown, status: number | undefined): ProviderError | undefined {
  const coded = statusErrorSchema.safeParse(body);
  if (coded.success && coded.data.status.error_code !== 0) {
    const { error_code: code, error_message: message } = coded.data.status;
    const what = `coingecko error ${code} "${message ?? ''}"`;
    if (code === 429) return new ProviderError('rate-limited', what, 60_000);
    if (AUTH_CODES.has(code)) return new ProviderError('auth', what);
    if (status !== undefined && status >= 500) return new ProviderError('transient', what);
    return new ProviderError('config', what);
  }
  const plain = plainErrorSchema.safeParse(body);
  if (plain.success) {
    const what = `coingecko error "${plain.data.error}"`;
    if (/not found/i.test(plain.data.error)) return new ProviderError('unknown-symbol', what);
    return new ProviderError('config', what);
  }
  return undefined;
}

/** Our symbol for a CoinGecko id: among those requested, else by the table. */
function symbolForId(id: string, context: ParseContext, book: SymbolBook): string | undefined {
  if (context.symbols) return context.symbols.find((symbol) => book.idOf(symbol) === id);
  return book.symbolOf(id);
}

function parse(body: unknown, context: ParseContext): Parsed {
  const book = new SymbolBook(COINGECKO_IDS, context.symbolMap);
  if (isObject(body) && Array.isArray(body.prices)) return parseMarketChart(body, context);
  if (Array.isArray(body) && body.length > 0 && Array.isArray(body[0]))
    return parseOhlc(body, context);
  if (Array.isArray(body)) return parseMarkets(body, context, book);
  if (isObject(body) && Object.values(body).every(isObject)) {
    return parseSimplePrice(body, context, book);
  }
  throw new ProviderError('malformed', 'not a CoinGecko payload this adapter knows');
}

function parseSimplePrice(body: unknown, context: ParseContext, book: SymbolBook): Parsed {
  const entries = parseEnvelope(jsonObject, body, 'CoinGecko simple/price');
  const schema = simplePriceSchema(context.quote.toLowerCase());
  const parsed: Parsed = { shape: 'simple/price', candidates: [], skipped: [] };
  for (const [id, entry] of Object.entries(entries)) {
    const symbol = symbolForId(id, context, book);
    if (symbol === undefined) {
      if (!context.symbols) {
        parsed.skipped.push({ symbol: id, reason: `unknown CoinGecko id: map it in symbolMap` });
      }
      continue;
    }
    const read = parseEntry(schema, entry);
    noteIgnored(parsed, read);
    if (!read.ok) {
      parsed.skipped.push({ symbol, reason: read.reason });
      continue;
    }
    const { updatedAt, ...numbers } = read.value;
    parsed.candidates.push({
      symbol,
      ...numbers,
      timeMs: updatedAt === undefined ? context.now : updatedAt * 1000,
    });
  }
  return parsed;
}

function parseMarkets(rows: unknown[], context: ParseContext, book: SymbolBook): Parsed {
  const parsed: Parsed = { shape: 'coins/markets', candidates: [], skipped: [] };
  for (const row of rows) {
    const id = isObject(row) && typeof row.id === 'string' ? row.id : undefined;
    const ticker = isObject(row) && typeof row.symbol === 'string' ? row.symbol : undefined;
    const symbol =
      id === undefined
        ? undefined
        : (symbolForId(id, context, book) ?? (context.symbols ? undefined : ticker?.toUpperCase()));
    if (symbol === undefined && context.symbols) continue;
    const read = parseEntry(marketsEntrySchema, row);
    if (!read.ok || symbol === undefined) {
      parsed.skipped.push({ symbol, reason: read.ok ? 'entry has no id' : read.reason });
      continue;
    }
    noteIgnored(parsed, read);
    const entry = read.value;
    parsed.candidates.push({
      symbol,
      price: entry.current_price,
      volume24h: entry.total_volume,
      marketCap: entry.market_cap,
      change24hPct: entry.price_change_percentage_24h,
      timeMs: entry.last_updated ?? context.now,
    });
  }
  return parsed;
}

function onlySymbol(context: ParseContext, what: string): string {
  if (context.symbols?.length === 1) return context.symbols[0]!;
  throw new ProviderError(
    'config',
    `CoinGecko ${what} does not name its coin: give exactly one symbol (--symbols BTC)`,
  );
}

/** /coins/{id}/ohlc: [close time ms, open, high, low, close]; no volume. */
function parseOhlc(rows: unknown[], context: ParseContext): Parsed {
  const symbol = onlySymbol(context, 'ohlc');
  const parsed: Parsed = { shape: 'ohlc', candidates: [], skipped: [], series: true };
  const valid = rows.flatMap((row) => {
    const read = parseEntry(ohlcRowSchema, row);
    if (!read.ok) parsed.skipped.push({ symbol, reason: read.reason });
    return read.ok ? [read.value] : [];
  });
  parsed.candidates = candlesToCandidates(
    symbol,
    valid.map(([closeMs, , , , close]) => ({ openMs: closeMs, closeMs, close, quoteVolume: null })),
    context.now,
  );
  return parsed;
}

/** /coins/{id}/market_chart: price, market cap and 24 h volume series on shared timestamps. */
function parseMarketChart(body: unknown, context: ParseContext): Parsed {
  const symbol = onlySymbol(context, 'market_chart');
  const chart = parseEnvelope(marketChartSchema, body, 'CoinGecko market_chart');
  const parsed: Parsed = { shape: 'market_chart', candidates: [], skipped: [], series: true };
  const byTime = (points: unknown[] | undefined) =>
    new Map(
      (points ?? []).flatMap((point) => {
        const read = pointSchema.safeParse(point);
        return read.success ? [read.data] : [];
      }),
    );
  const caps = byTime(chart.market_caps);
  const volumes = byTime(chart.total_volumes);
  for (const point of chart.prices) {
    const read = parseEntry(pointSchema, point);
    if (!read.ok || read.value[1] === null) {
      parsed.skipped.push({ symbol, reason: read.ok ? 'price is null' : read.reason });
      continue;
    }
    const [timeMs, price] = read.value;
    const candidate: TickCandidate = {
      symbol,
      price,
      volume24h: volumes.get(timeMs) ?? null,
      marketCap: caps.get(timeMs) ?? null,
      change24hPct: null,
      timeMs,
    };
    parsed.candidates.push(candidate);
  }
  return parsed;
}

/** Symbols we can ask about, and a skipped entry for each we cannot name. */
function requestableIds(context: PollContext) {
  const book = new SymbolBook(COINGECKO_IDS, context.symbolMap);
  const ids: string[] = [];
  const unmapped: Parsed['skipped'] = [];
  for (const symbol of context.symbols) {
    const id = book.idOf(symbol);
    if (id) ids.push(id);
    else unmapped.push({ symbol, reason: 'no CoinGecko id for this symbol: add it to symbolMap' });
  }
  if (ids.length === 0) {
    throw new ProviderError(
      'config',
      'no requested symbol has a CoinGecko id: add them to symbolMap',
    );
  }
  return { book, ids, unmapped };
}

async function poll(http: HttpClient, context: PollContext, signal: AbortSignal): Promise<Parsed> {
  const { book, ids, unmapped } = requestableIds(context);
  const body = await http.getJson(
    '/simple/price',
    {
      ids: ids.join(','),
      vs_currencies: context.quote.toLowerCase(),
      include_market_cap: 'true',
      include_24hr_vol: 'true',
      include_24hr_change: 'true',
      include_last_updated_at: 'true',
      precision: 'full',
    },
    { signal },
  );
  const parsed = parseSimplePrice(body, { ...context, now: http.now() }, book);
  return { ...parsed, skipped: [...unmapped, ...parsed.skipped] };
}

const backfill: Backfill = async (http, context, hours, signal) => {
  const { book, unmapped } = requestableIds(context);
  const from = context.now - hours * 3_600_000;
  const mapped = context.symbols.filter((symbol) => book.idOf(symbol) !== undefined);
  const result = await perSymbol(
    mapped,
    async (symbol) => {
      // CoinGecko picks the spacing from `days`: 5-minutely for 1 day, hourly up to 90.
      const body = await http.getJson(
        `/coins/${encodeURIComponent(book.idOf(symbol)!)}/market_chart`,
        { vs_currency: context.quote.toLowerCase(), days: Math.max(1, Math.ceil(hours / 24)) },
        { signal },
      );
      const parsed = parseMarketChart(body, { ...context, symbols: [symbol] });
      return { ...parsed, candidates: parsed.candidates.filter((c) => c.timeMs >= from) };
    },
    'market_chart',
  );
  return { ...result, skipped: [...unmapped, ...result.skipped] };
};

function limitsFor(apiKey: string | undefined, pro: boolean): RateLimits {
  if (pro) return { requestsPerMinute: 500, burst: 20 };
  if (apiKey) return { requestsPerMinute: 30, burst: 5 };
  // Keyless access is documented as 5 to 15 calls a minute, depending on load.
  return { requestsPerMinute: 10, burst: 2 };
}

export const coingeckoAdapter: ProviderAdapter = {
  provider: 'coingecko',
  dialect: { classifyBody },
  connection(apiKey, endpoint) {
    const baseUrl = endpoint ?? PUBLIC_BASE_URL;
    // Paid plans live on pro-api.coingecko.com and take a different header from demo keys.
    const pro = new URL(baseUrl).hostname.startsWith('pro-api.');
    const headers: Record<string, string> = {};
    if (apiKey) headers[pro ? 'x-cg-pro-api-key' : 'x-cg-demo-api-key'] = apiKey;
    return { baseUrl, headers, limits: limitsFor(apiKey, pro) };
  },
  parse,
  poll,
  backfill,
};
