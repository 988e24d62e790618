/**
 * npm run bench:providers — what the market-data providers cost us, apart from the network:
 *  - parse throughput per provider: the largest recorded payload (JSON.parse, shape detection,
 *    zod validation, normalization, tickSchema) parsed in a loop; ticks/s and payloads/s;
 *  - HTTP poll-cycle time against the local fixture server (real sockets on 127.0.0.1): one
 *    full `poll()` (rate limiter, breaker, retry wrapper, fetch, size-capped read, parse,
 *    validation, stats) against a bare `fetch` + `JSON.parse` of the same routes.
 * Prints one JSON line, then a table for people.
 */
import { readFileSync, statSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import {
  HTTP_PROVIDER_ADAPTERS,
  createHttpProvider,
  parseSavedBody,
  type HttpProviderName,
  type SavedBodyOptions,
} from '@cryptoviz/market';
import { cryptoSourceSpecSchema } from '@cryptoviz/resources';
import {
  FIXTURES_DIR,
  FixtureServer,
  type ScriptedResponse,
} from '../../libs/market/test/fixture-server.ts';

const RUNS = 3; // best of three: the machine is shared, the fastest run is the least disturbed
const PARSE_SECONDS = 1;
// Binance's weight bucket (burst 1200, weight 2 a poll) is not lifted by the request-rate
// override; 20 + 3 × 100 polls stay inside it, which the "limiter waits" column shows.
const POLLS = 100;
const WARMUP_POLLS = 20;

/** The context each provider's payloads need (Coinbase and klines do not name their pair). */
const PARSE_OPTIONS: Record<HttpProviderName, Partial<SavedBodyOptions>> = {
  coingecko: {},
  coinmarketcap: {},
  binance: { symbols: ['BTC'] },
  kraken: { quote: 'USDT' },
  coinbase: { symbols: ['BTC'] },
};

/** Poll routes and bodies, as each adapter asks for them. */
const POLL_ROUTES: Record<HttpProviderName, Record<string, string>> = {
  coingecko: { '/simple/price': 'coingecko/simple-price--oas-demo.json' },
  coinmarketcap: {
    '/v2/cryptocurrency/quotes/latest':
      'coinmarketcap/quotes-latest-v2-by-symbol--cmc-rs-tests-2022-06-01.json',
  },
  binance: { '/api/v3/ticker/24hr': 'binance/ticker-24hr-array--docs-2026.json' },
  kraken: { '/0/public/Ticker': 'kraken/ticker--ccxt-static-2024-03.json' },
  coinbase: {
    '/products/BTC-USD/ticker': 'coinbase/ticker--ccxt-static-2024-03-13.json',
    '/products/BTC-USD/stats': 'coinbase/stats--cryptocogs-capture-2026-06-19.json',
  },
};
const POLL_SPECS: Record<HttpProviderName, { symbols: string[]; quote: string }> = {
  coingecko: { symbols: ['BTC'], quote: 'USD' },
  coinmarketcap: { symbols: ['BTC'], quote: 'USD' },
  binance: { symbols: ['BNB'], quote: 'BTC' },
  kraken: { symbols: ['BTC'], quote: 'USDT' },
  coinbase: { symbols: ['BTC'], quote: 'USD' },
};
const PROVIDERS = Object.keys(HTTP_PROVIDER_ADAPTERS) as HttpProviderName[];

function largestPayload(provider: HttpProviderName): { name: string; text: string } {
  const dir = new URL(`${provider}/`, FIXTURES_DIR);
  const [name] = readdirSync(dir)
    .filter((file) => !file.startsWith('error-'))
    .sort((a, b) => statSync(new URL(b, dir)).size - statSync(new URL(a, dir)).size);
  return { name: name!, text: readFileSync(new URL(name!, dir), 'utf8') };
}

function parseThroughput(provider: HttpProviderName) {
  const { name, text } = largestPayload(provider);
  const options = { quote: 'USD', ...PARSE_OPTIONS[provider] };
  const adapter = HTTP_PROVIDER_ADAPTERS[provider];
  const ticksPerPayload = parseSavedBody(adapter, text, options).ticks.length;
  let best = 0;
  for (let run = 0; run < RUNS; run++) {
    let payloads = 0;
    const start = performance.now();
    while (performance.now() - start < PARSE_SECONDS * 1000) {
      for (let i = 0; i < 50; i++) parseSavedBody(adapter, text, options);
      payloads += 50;
    }
    best = Math.max(best, payloads / ((performance.now() - start) / 1000));
  }
  return {
    provider,
    fixture: name,
    bytes: Buffer.byteLength(text),
    ticksPerPayload,
    payloadsPerSecond: Math.round(best),
    ticksPerSecond: Math.round(best * ticksPerPayload),
  };
}

async function timePerCycle(cycle: () => Promise<void>): Promise<number> {
  for (let i = 0; i < WARMUP_POLLS; i++) await cycle();
  let best = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    for (let i = 0; i < POLLS; i++) await cycle();
    best = Math.min(best, (performance.now() - start) / POLLS);
  }
  return best;
}

async function pollCycle(server: FixtureServer, provider: HttpProviderName) {
  server.reset();
  const routes = POLL_ROUTES[provider];
  for (const [path, fixture] of Object.entries(routes)) {
    server.on(path, { fixture } satisfies ScriptedResponse);
  }
  const spec = cryptoSourceSpecSchema.parse({
    provider,
    ...POLL_SPECS[provider],
    endpoint: server.url,
    // Lift the documented limits: this measures our overhead, not the provider's pacing.
    rateLimit: { requestsPerMinute: 100_000 },
  });
  const source = createHttpProvider(HTTP_PROVIDER_ADAPTERS[provider], {
    source: 'default/bench',
    spec,
    apiKey: 'bench-key',
  });
  const pollMs = await timePerCycle(async () => {
    const result = await source.poll(AbortSignal.timeout(10_000));
    if (result.ticks.length === 0) throw new Error(`${provider}: poll gave no tick`);
  });
  const paths = Object.keys(routes);
  const bareFetchMs = await timePerCycle(async () => {
    for (const path of paths) JSON.parse(await (await fetch(`${server.url}${path}`)).text());
  });
  const stats = source.stats();
  return {
    provider,
    requestsPerPoll: paths.length,
    pollMs: round(pollMs, 3),
    bareFetchMs: round(bareFetchMs, 3),
    overheadMs: round(pollMs - bareFetchMs, 3),
    rateLimitWaits: stats.rateLimitWaits,
    rateLimitWaitMs: stats.rateLimitWaitMs,
    retries: stats.retries,
  };
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

const parse = PROVIDERS.map(parseThroughput);
const server = await FixtureServer.start();
const poll = [];
for (const provider of PROVIDERS) poll.push(await pollCycle(server, provider));
await server.close();

const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
process.stdout.write(
  `${JSON.stringify({ bench: 'providers', date: new Date().toISOString(), machine, parse, poll })}\n\n`,
);
const pad = (value: unknown, width: number) => String(value).padStart(width);
process.stdout.write(
  `Parse throughput (largest recorded payload per provider, best of ${RUNS} × ${PARSE_SECONDS} s)\n`,
);
process.stdout.write('provider        bytes  ticks/payload   payloads/s      ticks/s  fixture\n');
for (const row of parse) {
  process.stdout.write(
    `${row.provider.padEnd(13)}${pad(row.bytes, 8)}${pad(row.ticksPerPayload, 15)}${pad(row.payloadsPerSecond, 13)}${pad(row.ticksPerSecond, 13)}  ${row.fixture}\n`,
  );
}
process.stdout.write(
  `\nPoll cycle against the local fixture server (best of ${RUNS} × ${POLLS} polls, after ${WARMUP_POLLS} warm-up)\n`,
);
process.stdout.write(
  'provider      requests/poll  poll ms  bare fetch ms  overhead ms  limiter waits (ms)\n',
);
for (const row of poll) {
  process.stdout.write(
    `${row.provider.padEnd(13)}${pad(row.requestsPerPoll, 15)}${pad(row.pollMs, 9)}${pad(row.bareFetchMs, 15)}${pad(row.overheadMs, 13)}${pad(row.rateLimitWaits, 15)} (${row.rateLimitWaitMs})\n`,
  );
}
