import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureServer } from '../../../libs/market/test/fixture-server.ts';
import { cryptovizWithEnv, type Run } from './backtest-cli.ts';

// Each run starts Node and compiles the CLI's TypeScript: seconds apiece on a loaded machine.
const SPAWNING = { timeout: 120_000 };
const FIXTURES = 'libs/market/test/fixtures';

/** Runs the real CLI in a child process, as a user would. */
function cryptoviz(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return cryptovizWithEnv(env, ...args);
}

const parse = (provider: string, fixture: string, ...flags: string[]) =>
  cryptoviz(['provider', 'parse', provider, `${FIXTURES}/${provider}/${fixture}`, ...flags]);

function ticksOf(run: Run): Record<string, unknown>[] {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>[];
}

function errorOf(run: Run): { kind: string; message: string } {
  expect(run.code).toBe(1);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  return (JSON.parse(run.stdout) as { error: { kind: string; message: string } }).error;
}

describe('cryptoviz provider parse', SPAWNING, () => {
  it('prints CoinGecko simple/price as ticks named by our symbol', async () => {
    const ticks = ticksOf(await parse('coingecko', 'simple-price--oas-demo.json'));
    expect(ticks).toEqual([
      {
        source: 'default/coingecko',
        provider: 'coingecko',
        symbol: 'BTC',
        quote: 'USD',
        price: 76975,
        volume24h: 29096603418.89408,
        marketCap: 1542226908349.8406,
        change24hPct: -1.4093297098441402,
        time: '2026-05-18T08:17:38.000Z',
      },
    ]);
  });

  it('reads a Coinbase ticker once told which product it was', async () => {
    const run = await parse(
      'coinbase',
      'ticker--ccxt-static-2024-03-13.json',
      '--symbols',
      'BTC',
      '--quote',
      'USDT',
    );
    expect(ticksOf(run)).toMatchObject([
      { symbol: 'BTC', quote: 'USDT', price: 73367.8, time: '2024-03-13T11:10:41.270Z' },
    ]);
    expect(run.stderr).toContain('ticker: 1 tick, 0 skipped');
    // Coinbase's ticker has its own time: nothing was stamped.
    expect(run.stderr).not.toContain('stamped');
    const untold = errorOf(await parse('coinbase', 'ticker--ccxt-static-2024-03-13.json'));
    expect(untold).toMatchObject({ kind: 'config', message: expect.stringContaining('--symbols') });
  });

  it('says when a payload gives no time and its ticks carry the time of parsing', async () => {
    const before = Date.now();
    const run = await parse('kraken', 'ticker--ccxt-static-2024-03.json', '--quote', 'USDT');
    const [tick] = ticksOf(run);
    expect(Date.parse(tick!.time as string)).toBeGreaterThanOrEqual(before);
    expect(run.stderr).toContain(
      'note: the payload gives no time for 1 tick; stamped with the time of parsing',
    );
  });

  it('reads Kraken OHLC and CoinMarketCap listings, filtered by --symbols', async () => {
    const kraken = ticksOf(
      await parse('kraken', 'ohlc--ccxt-static-2024-01-30.json', '--quote', 'USDT'),
    );
    expect(kraken).toHaveLength(6);
    expect(kraken[0]).toMatchObject({ symbol: 'BTC', price: 43361.1, provider: 'kraken' });
    const cmc = ticksOf(
      await parse(
        'coinmarketcap',
        'listings-latest--scarce-coin-curator-2021.json',
        '--symbols',
        'BTC,ETH',
      ),
    );
    expect(cmc.map((tick) => [tick.symbol, tick.price])).toEqual([
      ['BTC', 47765.48645352477],
      ['ETH', 3416.8883630525256],
    ]);
  });

  it('takes the candle interval for a one-candle payload', async () => {
    const ticks = ticksOf(
      await parse(
        'coinbase',
        'candles--ccxt-static-2024-03-13.json',
        '--symbols',
        'BTC',
        '--interval',
        '1h',
      ),
    );
    expect(ticks).toMatchObject([{ price: 73370.65, time: '2024-03-13T12:00:00.000Z' }]);
  });

  it('prints the classified error for each provider’s error payloads, exit 1', async () => {
    const cases = [
      ['binance', 'error-1121-invalid-symbol--docs-2026.json', 'unknown-symbol'],
      ['kraken', 'error-unknown-asset-pair--polimec-oracle-mock-2023.json', 'unknown-symbol'],
      ['coinbase', 'error-notfound--gappa-blog-2022.json', 'unknown-symbol'],
      ['coingecko', 'error-429--cryptgo-issue30-2023.json', 'rate-limited'],
      ['coinmarketcap', 'error-1002-api-key-missing--coinmarketcapr-issue24-2020.json', 'auth'],
    ] as const;
    const runs = await Promise.all(cases.map(([provider, fixture]) => parse(provider, fixture)));
    expect(runs.map((run) => errorOf(run).kind)).toEqual(cases.map(([, , kind]) => kind));
  });

  it('calls an HTML page malformed and reports skipped entries on stderr', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cryptoviz-provider-'));
    const html = join(dir, 'page.html');
    await writeFile(
      html,
      '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>',
    );
    const error = errorOf(await cryptoviz(['provider', 'parse', 'binance', html]));
    expect(error).toEqual({
      kind: 'malformed',
      message: 'expected JSON, got an HTML page ("502 Bad Gateway")',
    });

    const run = await parse('binance', 'ticker-price-array--docs-2026.json');
    expect(ticksOf(run)).toEqual([]);
    expect(run.stderr).toContain('skipped LTCBTC: not a USDT pair (pass --quote)');
  });

  it('exits 2 on usage mistakes, with nothing on stdout', async () => {
    for (const args of [
      ['provider', 'parse', 'nope', 'x.json'],
      ['provider', 'parse', 'kraken', 'no/such/file.json'],
      [
        'provider',
        'parse',
        'kraken',
        `${FIXTURES}/kraken/ticker--ccxt-static-2024-03.json`,
        '--symbols',
        'btc',
      ],
    ]) {
      const run = await cryptoviz(args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^cryptoviz provider parse: /);
    }
  });
});

describe('cryptoviz provider fetch', SPAWNING, () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await FixtureServer.start();
  });
  afterAll(() => server.close());

  it('polls through --endpoint with the key from the environment, never printing it', async () => {
    const key = 'cmc-secret-key-0123';
    server.on('/v2/cryptocurrency/quotes/latest', {
      fixture: 'coinmarketcap/quotes-latest-v2-by-symbol--cmc-rs-tests-2022-06-01.json',
    });
    const run = await cryptoviz(
      ['provider', 'fetch', 'coinmarketcap', '--symbols', 'BTC', '--endpoint', server.url],
      { CRYPTOVIZ_API_KEY: key },
    );
    expect(ticksOf(run)).toMatchObject([{ symbol: 'BTC', price: 30181.22136320567 }]);
    expect(server.requests.at(-1)!.headers['x-cmc_pro_api_key']).toBe(key);

    server.on('/v2/cryptocurrency/quotes/latest', {
      status: 401,
      json: { status: { error_code: 1001, error_message: `API key ${key} is invalid` } },
    });
    const refused = await cryptoviz(
      ['provider', 'fetch', 'coinmarketcap', '--symbols', 'BTC', '--endpoint', server.url],
      { CRYPTOVIZ_API_KEY: key },
    );
    expect(errorOf(refused).kind).toBe('auth');
    expect(refused.stdout + refused.stderr + run.stdout + run.stderr).not.toContain(key);
  });
});
