import fc from 'fast-check';
import {
  HTTP_PROVIDER_ADAPTERS,
  parseSavedBody,
  ProviderError,
  type HttpProviderName,
  type PollResult,
  type SavedBodyOptions,
} from '@cryptoviz/market';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../fixture-server.ts';

/** Any part of a parsed JSON payload, reached by key or index: the tests poke at it freely. */
interface Json {
  [key: string]: Json;
}

/** A field of a record: a key, a tuple index, or a path into nested objects. */
type FieldPath = readonly (string | number)[];

interface Field {
  path: FieldPath;
  /**
   * How the parser names the field when it ignores it (the metric's `field` label); none for
   * a field the parser does not read at all.
   */
  label?: string;
  /** Whether the parser can use this value; by default, a number or a decimal string. */
  usable?: (value: unknown) => boolean;
}

/**
 * A real payload and what a tick needs of each of its records: `required` fields (symbol,
 * price, time where the payload has one) and the `optional` ones a tick can do without.
 */
interface PayloadCase {
  provider: HttpProviderName;
  fixture: string;
  options: Partial<SavedBodyOptions>;
  /** The records of the payload, as references into `body`, so mutating them mutates it. */
  records: (body: Json) => Json[];
  /** The price each record makes a tick with. */
  price: (record: Json) => number;
  required: FieldPath[];
  optional: Field[];
}

const HOUR_MS = 3_600_000;

/** Is this something the parser reads as a number (the oracle, written apart from the code)? */
function readsAsNumber(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value);
}

/** Kraken's [today, last 24 h] pairs: only the second is read. */
const last24hUsable = (value: unknown) =>
  Array.isArray(value) && value.length >= 2 && readsAsNumber(value[1]);
const all = (body: Json) => body as unknown as Json[];
const rowsOf = (key: string) => (body: Json) => body.result![key] as unknown as Json[];

const CASES: PayloadCase[] = [
  {
    provider: 'binance',
    fixture: 'ticker-24hr-array--docs-2026.json',
    options: { quote: 'BTC' },
    records: all,
    price: (r) => Number(r.lastPrice),
    required: [['symbol'], ['lastPrice'], ['closeTime']],
    optional: [
      { path: ['priceChangePercent'], label: 'priceChangePercent' },
      { path: ['quoteVolume'], label: 'quoteVolume' },
    ],
  },
  {
    provider: 'binance',
    fixture: 'ticker-24hr-single--crypto-vba-v1-2019-02-28.json',
    options: { quote: 'BTC' },
    records: (body) => [body],
    price: (r) => Number(r.lastPrice),
    required: [['lastPrice'], ['closeTime']],
    optional: [
      { path: ['priceChangePercent'], label: 'priceChangePercent' },
      { path: ['quoteVolume'], label: 'quoteVolume' },
      { path: ['bidPrice'] },
    ],
  },
  {
    provider: 'binance',
    fixture: 'klines--nautilus-trader-fixture-2021-10-22.json',
    options: { symbols: ['BTC'] },
    records: all,
    price: (r) => Number(r[4]),
    required: [[0], [4], [6]],
    optional: [{ path: [7], label: 'klines.quoteVolume' }, { path: [1] }, { path: [5] }],
  },
  {
    provider: 'coinbase',
    fixture: 'ticker--ccxt-static-2024-03-13.json',
    options: { symbols: ['BTC'], quote: 'USDT' },
    records: (body) => [body],
    price: (r) => Number(r.price),
    required: [['price'], ['time']],
    optional: [{ path: ['volume'], label: 'volume' }, { path: ['trade_id'] }],
  },
  {
    provider: 'coinbase',
    fixture: 'stats--coinbase-pro-node-test-2019.json',
    options: { symbols: ['BTC'] },
    records: (body) => [body],
    price: (r) => Number(r.last),
    required: [['last']],
    optional: [
      { path: ['open'], label: 'open' },
      { path: ['volume'], label: 'volume' },
    ],
  },
  {
    provider: 'coinbase',
    fixture: 'candles--coinbase-pro-node-fixture-2020-03.json',
    options: { symbols: ['BTC'], candleIntervalMs: HOUR_MS },
    records: all,
    price: (r) => Number(r[4]),
    required: [[0], [4]],
    optional: [{ path: [5], label: 'candles.volume' }, { path: [1] }, { path: [3] }],
  },
  {
    provider: 'kraken',
    fixture: 'ticker--ccxt-static-2024-03.json',
    options: { symbols: ['BTC'], quote: 'USDT' },
    records: (body) => Object.values(body.result!),
    price: (r) => Number(r.c![0]),
    required: [['c']],
    optional: [
      { path: ['v'], label: 'v', usable: last24hUsable },
      { path: ['p'], label: 'p', usable: last24hUsable },
      { path: ['a'] },
    ],
  },
  {
    provider: 'kraken',
    fixture: 'ohlc--ccxt-static-2024-01-30.json',
    options: { symbols: ['BTC'], quote: 'USDT', candleIntervalMs: HOUR_MS },
    records: rowsOf('XBTUSDT'),
    price: (r) => Number(r[4]),
    required: [[0], [4]],
    optional: [
      { path: [5], label: 'ohlc.vwap' },
      { path: [6], label: 'ohlc.volume' },
      { path: [7] },
    ],
  },
  {
    provider: 'coingecko',
    fixture: 'simple-price--oas-demo.json',
    options: {},
    records: (body) => Object.values(body),
    price: (r) => Number(r.usd),
    required: [['usd']],
    optional: [
      { path: ['usd_market_cap'], label: '<vs>_market_cap' },
      { path: ['usd_24h_vol'], label: '<vs>_24h_vol' },
      { path: ['usd_24h_change'], label: '<vs>_24h_change' },
    ],
  },
  {
    provider: 'coingecko',
    fixture: 'coins-markets--oas-public-v3-archive.json',
    options: {},
    records: all,
    price: (r) => Number(r.current_price),
    required: [['id'], ['current_price']],
    optional: [
      { path: ['market_cap'], label: 'market_cap' },
      { path: ['total_volume'], label: 'total_volume' },
      { path: ['price_change_percentage_24h'], label: 'price_change_percentage_24h' },
      { path: ['ath'] },
    ],
  },
  {
    provider: 'coinmarketcap',
    fixture: 'quotes-latest-v1--interviewproject-fixture-2019.json',
    options: {},
    records: (body) => Object.values(body.data!),
    price: (r) => Number(r.quote!.USD!.price),
    required: [['symbol'], ['quote', 'USD', 'price']],
    optional: [
      { path: ['quote', 'USD', 'volume_24h'], label: 'volume_24h' },
      { path: ['quote', 'USD', 'market_cap'], label: 'market_cap' },
      { path: ['quote', 'USD', 'percent_change_24h'], label: 'percent_change_24h' },
      { path: ['cmc_rank'] },
      { path: ['platform'] },
    ],
  },
  {
    provider: 'coinmarketcap',
    fixture: 'listings-latest--crypto-price-list-mock-2019.json',
    options: {},
    records: (body) => all(body.data!),
    price: (r) => Number(r.quote!.USD!.price),
    required: [['symbol'], ['quote', 'USD', 'price']],
    optional: [
      { path: ['quote', 'USD', 'volume_24h'], label: 'volume_24h' },
      { path: ['quote', 'USD', 'percent_change_24h'], label: 'percent_change_24h' },
      { path: ['max_supply'] },
    ],
  },
];

/** What an optional field may turn into: older versions' strings, nulls, extra nesting… */
const junk = fc.oneof(
  fc.constant(null),
  fc.string(),
  fc.constantFrom('', 'NaN', 'Infinity', '1,5', '0x10', 'n/a'),
  fc.double({ noNaN: true }).map(String),
  fc.boolean(),
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.integer(), fc.string()), {
    maxKeys: 3,
  }),
  fc.double().map((value) => ({ value })),
);

type Mutation =
  | { kind: 'none' }
  | { kind: 'replace'; field: Field; value: unknown }
  | { kind: 'remove'; path: FieldPath };

function mutationOf(c: PayloadCase): fc.Arbitrary<Mutation> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant<Mutation>({ kind: 'none' }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('replace' as const),
        field: fc.constantFrom(...c.optional),
        value: junk,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('remove' as const),
        path: fc.constantFrom(...c.required),
      }),
    },
  );
}

function apply(record: Json, mutation: Mutation): void {
  if (mutation.kind === 'none') return;
  const path = mutation.kind === 'replace' ? mutation.field.path : mutation.path;
  const parent = path.slice(0, -1).reduce((node, key) => node[key]!, record);
  const last = path.at(-1)!;
  if (mutation.kind === 'replace') parent[last] = mutation.value as Json;
  // A tuple has no holes: a removed element is a null in its place.
  else if (Array.isArray(parent)) parent[last as number] = null;
  else delete parent[last];
}

/** Every number inside `node` becomes its decimal string, in place. */
function stringifyNumbers(node: Json): void {
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'number') node[key] = String(value) as unknown as Json;
    else if (typeof value === 'object' && value !== null) stringifyNumbers(value);
  }
}

/** One clock for every parse: payloads without a time of their own are stamped with it. */
const NOW = Date.now();

function parse(c: PayloadCase, body: unknown): PollResult {
  return parseSavedBody(HTTP_PROVIDER_ADAPTERS[c.provider], JSON.stringify(body), {
    quote: 'USD',
    now: NOW,
    ...c.options,
  });
}

describe('provider payload parsing is tolerant of what a tick can do without', () => {
  describe.each(CASES)('$provider $fixture', (c) => {
    const original = JSON.parse(readFixture(`${c.provider}/${c.fixture}`)) as Json;
    const records = c.records(original);

    it('reads every record of the real payload', () => {
      const result = parse(c, original);
      expect(result.ticks.map((tick) => tick.price).sort()).toEqual(records.map(c.price).sort());
      expect(result.skipped).toEqual([]);
    });

    it('reads numbers sent as strings, as older API versions did, to the same ticks', () => {
      const body = structuredClone(original);
      for (const record of c.records(body)) stringifyNumbers(record);
      expect(parse(c, body).ticks).toEqual(parse(c, original).ticks);
    });

    it('keeps every record whose required fields are valid, and drops the others with a reason', () => {
      fc.assert(
        fc.property(
          fc.array(mutationOf(c), { minLength: records.length, maxLength: records.length }),
          (mutations) => {
            const body = structuredClone(original);
            const mutated = c.records(body);
            mutations.forEach((mutation, i) => apply(mutated[i]!, mutation));
            const dropped = mutations.filter((m) => m.kind === 'remove').length;
            const kept = records.filter((_, i) => mutations[i]!.kind !== 'remove');

            let result: PollResult;
            try {
              result = parse(c, body);
            } catch (error) {
              // Only a payload left with no readable record may be refused whole, and as such.
              expect(error).toBeInstanceOf(ProviderError);
              expect((error as ProviderError).kind).toBe('malformed');
              expect(kept).toEqual([]);
              return;
            }
            expect(result.ticks.map((tick) => tick.price).sort()).toEqual(kept.map(c.price).sort());
            const refused = result.skipped.filter((entry) =>
              entry.reason.startsWith('invalid entry'),
            );
            expect(refused).toHaveLength(dropped);

            // Each optional field the parser could not use is counted under its name; fields
            // it reads but finds out of range for a tick are counted under the tick's names.
            const expected: Record<string, number> = {};
            mutations.forEach((m) => {
              if (m.kind !== 'replace' || !m.field.label || m.value === null) return;
              if ((m.field.usable ?? readsAsNumber)(m.value)) return;
              expected[m.field.label] = (expected[m.field.label] ?? 0) + 1;
            });
            const labels = new Set(c.optional.map((field) => field.label));
            const counted = Object.fromEntries(
              Object.entries(result.ignoredFields ?? {}).filter(([label]) => labels.has(label)),
            );
            expect(counted).toEqual(expected);
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});
