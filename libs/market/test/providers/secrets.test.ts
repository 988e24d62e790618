import { ProviderError, type HttpTickProvider } from '@cryptoviz/market';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { secretLeaks } from '@cryptoviz/testkit/secret-leaks';
import { FixtureServer, htmlErrorPage, rateLimited } from '../fixture-server.ts';
import { makeProvider, ManualClock, signal } from './helpers.ts';

const KEY = 'CG-s3cr3t/Key+Value=42';

/** Everything a run could leak through: console, stdout/stderr, errors, stats, skipped reasons. */
class Capture {
  readonly texts: string[] = [];

  start(): void {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        this.texts.push(args.map(String).join(' '));
      });
    }
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      vi.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
        this.texts.push(String(chunk));
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      });
    }
  }

  async run(provider: HttpTickProvider, call: 'poll' | 'backfill' = 'poll'): Promise<void> {
    try {
      const result =
        call === 'poll' ? await provider.poll(signal()) : await provider.backfill!(2, signal());
      this.texts.push(JSON.stringify(result));
    } catch (error) {
      expect(error).toBeInstanceOf(ProviderError);
      const e = error as ProviderError;
      this.texts.push(e.message, String(e), e.stack ?? '', JSON.stringify(e));
    }
    this.texts.push(JSON.stringify(provider.stats()));
  }
}

describe('the API key never leaves the provider', () => {
  let server: FixtureServer;
  const capture = new Capture();
  beforeAll(async () => {
    server = await FixtureServer.start();
  });
  afterAll(() => server.close());
  afterEach(() => vi.restoreAllMocks());

  it('through successes, echoed errors, HTML pages, rate limits, breakers and backfills', async () => {
    capture.start();
    // The key sits in the endpoint's path too, as some gateways put it.
    const base = `/${encodeURIComponent(KEY)}/api/v3`;
    const echo = `invalid key ${KEY} (${encodeURIComponent(KEY)})`;
    server
      .on(
        `${base}/simple/price`,
        { fixture: 'coingecko/simple-price--oas-demo.json' },
        { status: 401, json: { status: { error_code: 10010, error_message: echo } } },
        { status: 400, json: { error: echo } },
        htmlErrorPage(200, `Bad key ${KEY}`),
        rateLimited(1),
        { json: { bitcoin: { usd: echo } } },
        htmlErrorPage(503),
      )
      .on(`${base}/coins/bitcoin/market_chart`, {
        status: 404,
        json: { error: `coin not found ${KEY}` },
      });
    const clock = new ManualClock();
    const { provider } = makeProvider(
      'coingecko',
      { symbols: ['BTC'], endpoint: `${server.url}${base}` },
      { apiKey: KEY, clock },
    );
    for (let i = 0; i < 10; i++) await capture.run(provider);
    await capture.run(provider, 'backfill');

    const cmc = makeProvider(
      'coinmarketcap',
      { symbols: ['BTC'], endpoint: `${server.url}/${encodeURIComponent(KEY)}` },
      { apiKey: KEY, http: { timeoutMs: 10_000, retry: { retries: 0 } } },
    );
    server.on(`/${encodeURIComponent(KEY)}/v2/cryptocurrency/quotes/latest`, {
      status: 200,
      json: { status: { error_code: 1001, error_message: `This API Key is invalid: ${KEY}` } },
    });
    await capture.run(cmc.provider);
    expect(cmc.provider.stats().lastError).toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('This API Key is invalid: [redacted]'),
    });

    // The key was really in use: sent as the documented header on every request.
    expect(server.requests.length).toBeGreaterThan(10);
    expect(server.requests[0]!.headers['x-cg-demo-api-key']).toBe(KEY);
    expect(server.requests.at(-1)!.headers['x-cmc_pro_api_key']).toBe(KEY);
    // And the run produced the kinds of output a key could hide in.
    const everything = capture.texts.join('\n');
    expect(everything).toContain('[redacted]');
    expect(everything).toContain('circuit breaker open');
    expect(secretLeaks(everything, KEY)).toEqual([]);
  });

  it('scrubs a non-JSON body before quoting its start, and summarizes it without the body', async () => {
    // The key straddles the 40th character, where the excerpt of a non-JSON body ends.
    const before = 'error: the key you sent was '.padEnd(32, '.');
    const path = '/api/v3/simple/price';
    server.reset();
    server.on(path, { status: 200, body: `${before}${KEY} and not JSON` });
    const { provider } = makeProvider(
      'coingecko',
      { symbols: ['BTC'], endpoint: `${server.url}/api/v3` },
      { apiKey: KEY, http: { retry: { retries: 0 } } },
    );
    const error = (await provider.poll(signal()).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.kind).toBe('malformed');
    expect(error.summary).toBe(`coingecko GET ${path}: answered 200 with a body that is not JSON`);
    expect(error.message).toBe(
      `${error.summary}: invalid JSON (starts ${JSON.stringify(`${before}[redacted]`.slice(0, 40))})`,
    );
    expect(provider.stats().lastError).toEqual({ kind: 'malformed', message: error.message });
    expect(
      secretLeaks(`${error.message} ${error.summary} ${JSON.stringify(provider.stats())}`, KEY),
    ).toEqual([]);
  });

  it("summarizes an error the body tells of without the provider's words", async () => {
    const path = '/v2/cryptocurrency/quotes/latest';
    server.reset();
    server.on(path, {
      status: 401,
      json: { status: { error_code: 1001, error_message: `This API Key is invalid: ${KEY}` } },
    });
    const { provider } = makeProvider(
      'coinmarketcap',
      { symbols: ['BTC'], endpoint: server.url },
      { apiKey: KEY },
    );
    const error = (await provider.poll(signal()).catch((e: unknown) => e)) as ProviderError;
    expect(error.kind).toBe('auth');
    expect(error.summary).toBe(
      `coinmarketcap GET ${path}: answered 401 with an error in its body (auth)`,
    );
    expect(error.message).toContain('This API Key is invalid: [redacted]');
  });
});
