import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '@cryptoviz/api';
import { openSse } from './sse-client.ts';
import { rawMutation, rawQuery, startTestGateway, TOKEN, type TestGateway } from './support.ts';

/** Words from PostgreSQL and driver errors: none may ever reach a client. */
const DATABASE_LEAKS =
  /relation "|syntax error|column "|violates|duplicate key|invalid input syntax|SQLSTATE|ECONNREFUSED|at [\w.]+ \(/i;

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const now = Date.now();
const HUGE = 'x'.repeat(5_000);

/** Values that have broken input handling elsewhere: paths, SQL, NUL, oversize, bad dates. */
const nastyValue = fc.oneof(
  fc.constantFrom(null, Number.MAX_SAFE_INTEGER, -1, 0, 1e308, 0.5),
  fc.constantFrom('', 'BTC', '../../etc/passwd', "'; DROP TABLE ticks; --", '\u0000', HUGE),
  fc.constantFrom('2026-11-22T00:00:00Z', 'yesterday', '9999-99-99'),
  fc.string({ maxLength: 300 }),
);

/** Arbitrary JSON shaped like the procedures' inputs: their field names, any values. */
const arbitraryInput: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nastyValue,
    fc.jsonValue({ maxDepth: 3 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom('symbols', 'from', 'to', 'symbol', 'source', 'model', 'kind', 'manifest'),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

/** Runs per procedure: enough to reach every branch of a schema, few enough for two cores. */
const RUNS = 25;

/** Inputs each query must refuse with a 4xx and a message. */
const INVALID: Record<string, unknown[]> = {
  'markets.latest': [
    { symbols: 'BTC' },
    { symbols: [HUGE] },
    { symbols: ['btc'] },
    { sources: [1] },
    { extra: 1 },
  ],
  'markets.sparklines': [{ hours: 0 }, { hours: 1e9 }, { points: 'many' }, { symbols: [] }],
  'markets.candles': [
    {},
    { source: 'sim', symbol: 'BTC', interval: '1w', from: iso(now - DAY), to: iso(now) },
    { source: 'sim', symbol: 'BTC', interval: '1h', from: iso(now), to: iso(now - DAY) },
    { source: 'sim', symbol: 'BTC', interval: '1h', from: iso(now - 400 * DAY), to: iso(now) },
    { source: 'sim', symbol: 'BTC', interval: '1m', from: iso(now - 30 * DAY), to: iso(now) },
    { source: HUGE, symbol: 'BTC', interval: '1h', from: iso(now - DAY), to: iso(now) },
    { source: 'sim', symbol: 'BTC', interval: '1h', from: 'last week', to: iso(now) },
  ],
  'markets.compare': [{}, { symbol: 42 }, { symbol: 'BTC/USD' }, { symbol: HUGE }],
  'predictions.latest': [{ models: ['Not_A_Name'] }, { symbols: 'BTC' }],
  'predictions.history': [
    { model: 'm', symbol: 'BTC', horizonS: 3600, from: iso(now), to: iso(now - DAY) },
    { model: 'm', symbol: 'BTC', horizonS: 90.5, from: iso(now - DAY), to: iso(now) },
    { model: 'm', symbol: 'BTC', horizonS: 3600, from: iso(now - 1_000 * DAY), to: iso(now) },
    { model: HUGE, symbol: 'BTC', horizonS: 3600, from: iso(now - DAY), to: iso(now) },
  ],
  'predictions.accuracy': [{ windowDays: -1 }, { windowDays: 3_000 }, { horizonS: '1h' }],
  'predictions.strategy': [
    {},
    { model: 'm', symbol: 'BTC', horizonS: 3600, feeRate: 0.2 },
    { model: 'm', symbol: 'BTC', horizonS: 3600, slippageRate: -1 },
    { model: 'm', symbol: 'BTC', horizonS: 3600, windowDays: 3_000 },
    { model: 'm', symbol: 'BTC', horizonS: 3600, allowShort: 'yes' },
    { model: HUGE, symbol: 'BTC', horizonS: 3600 },
  ],
  'signals.latest': [{ symbols: [null] }],
  'resources.get': [
    { kind: 'Pod', key: 'x' },
    { kind: 'CryptoSource', key: 'UPPER' },
    { kind: 'CryptoSource', key: 'a/b/c' },
    { kind: 'CryptoSource', name: 'sim' },
    {},
  ],
};

/** Well-formed but unknown: a normal empty answer (or 404), never an error of ours. */
const UNKNOWN: Record<string, unknown> = {
  'markets.latest': { symbols: ['ZZZZZZ'] },
  'markets.compare': { symbol: 'ZZZZZZ' },
  'markets.candles': {
    source: 'nowhere',
    symbol: 'ZZZ',
    interval: '1h',
    from: iso(now - DAY),
    to: iso(now),
  },
  'predictions.history': {
    model: 'nobody',
    symbol: 'ZZZ',
    horizonS: 21_600,
    from: iso(now - DAY),
    to: iso(now),
  },
  'predictions.accuracy': { model: 'nobody', windowDays: 1 },
  'predictions.strategy': { model: 'nobody', symbol: 'ZZZ', horizonS: 3600 },
  'resources.get': { kind: 'PredictionModel', key: 'team-z/nobody' },
};

function expectClientError(result: { status: number; body: string }, label: string): void {
  expect(result.status, `${label}: ${result.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(result.status, label).toBeLessThan(500);
  expect(result.body, label).not.toMatch(DATABASE_LEAKS);
  const message = (JSON.parse(result.body) as { error: { message: string } }).error.message;
  expect(message.length, label).toBeGreaterThan(0);
  expect(message.length, label).toBeLessThanOrEqual(501);
}

describe('gateway fuzzing', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ GATEWAY_MAX_RANGE_DAYS: '90', GATEWAY_MAX_ROWS: '5000' });
  });
  afterAll(async () => {
    await gw.stop();
  });

  // At run time the router's procedure table is flat: 'markets.latest' → procedure.
  const procedures = Object.entries(
    appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>,
  );
  const queries = procedures.filter(([, p]) => p._def.type === 'query').map(([name]) => name);
  const mutations = procedures.filter(([, p]) => p._def.type === 'mutation').map(([name]) => name);
  const subscriptions = procedures
    .filter(([, p]) => p._def.type === 'subscription')
    .map(([name]) => name);

  it('covers every procedure of the router', () => {
    expect(queries.length + mutations.length + subscriptions.length).toBe(procedures.length);
    const inputless = ['resources.list', 'resources.namespace', 'health.pipeline'];
    for (const name of queries.filter((q) => !inputless.includes(q))) {
      expect(INVALID[name], `no invalid inputs listed for ${name}`).toBeDefined();
    }
  });

  it('refuses invalid query inputs with a 4xx and a message', async () => {
    for (const [procedure, inputs] of Object.entries(INVALID)) {
      for (const input of inputs) {
        expectClientError(
          await rawQuery(gw.url, procedure, input),
          `${procedure} ${JSON.stringify(input).slice(0, 80)}`,
        );
      }
    }
  });

  it('answers well-formed unknown names with an empty result or 404', async () => {
    for (const [procedure, input] of Object.entries(UNKNOWN)) {
      const result = await rawQuery(gw.url, procedure, input);
      expect([200, 404], `${procedure}: ${result.body.slice(0, 200)}`).toContain(result.status);
      expect(result.body).not.toMatch(DATABASE_LEAKS);
    }
  });

  it('never answers arbitrary input to any query with a 5xx or a database error', async () => {
    for (const procedure of queries) {
      await fc.assert(
        fc.asyncProperty(arbitraryInput, async (input) => {
          const result = await rawQuery(gw.url, procedure, input);
          const label = `${procedure} ${JSON.stringify(input)?.slice(0, 120)}`;
          expect(result.status, label).toBeLessThan(500);
          expect(result.body, label).not.toMatch(DATABASE_LEAKS);
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('refuses arbitrary and oversized mutation bodies with a 4xx, even with the token', async () => {
    for (const procedure of mutations) {
      await fc.assert(
        fc.asyncProperty(arbitraryInput, async (input) => {
          expectClientError(await rawMutation(gw.url, procedure, input, TOKEN), procedure);
        }),
        { numRuns: RUNS },
      );
      const oversized = await rawMutation(
        gw.url,
        procedure,
        { manifest: 'y'.repeat(1_000_000) },
        TOKEN,
      );
      expect(oversized.status, procedure).toBe(413);
    }
    const badSpec = await rawMutation(
      gw.url,
      'resources.create',
      { manifest: { kind: 'CryptoSource', metadata: { name: 'x' }, spec: { symbols: [HUGE] } } },
      TOKEN,
    );
    expectClientError(badSpec, 'huge symbol');
    for (const spec of [
      { provider: 'synthetic', symbols: ['BTC'], interval: 'soon' },
      { provider: 'synthetic', symbols: ['BTC'], interval: 5 },
    ]) {
      const manifest = { kind: 'CryptoSource', metadata: { name: 'x' }, spec };
      expectClientError(
        await rawMutation(gw.url, 'resources.create', { manifest }, TOKEN),
        'interval',
      );
    }
    const badHorizon = {
      kind: 'PredictionModel',
      metadata: { name: 'm' },
      spec: { algorithm: 'ridge', symbols: ['BTC'], horizons: ['later'] },
    };
    expectClientError(
      await rawMutation(gw.url, 'resources.create', { manifest: badHorizon }, TOKEN),
      'horizon',
    );
  });

  it('refuses invalid subscription inputs with a BAD_REQUEST error event', async () => {
    const cases = [{ symbols: 'BTC' }, { symbols: [HUGE] }, { models: [1] }, { lastEventId: '-5' }];
    for (const procedure of subscriptions.filter((s) => s !== 'live.health')) {
      for (const input of cases) {
        const url = `${gw.url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
        const stream = await openSse(url);
        const event = await stream.next();
        stream.close();
        expect(event.event).toBe('serialized-error');
        expect(event.data).not.toMatch(DATABASE_LEAKS);
        expect(JSON.parse(event.data)).toMatchObject({ data: { httpStatus: 400 } });
      }
    }
  });

  it('answers unknown paths and malformed batches with 4xx', async () => {
    expect((await fetch(`${gw.url}/trpc/nope.nothing`)).status).toBe(404);
    expect((await fetch(`${gw.url}/elsewhere`)).status).toBe(404);
    const batch = Array.from({ length: 30 }, () => 'markets.latest').join(',');
    const tooMany = await fetch(`${gw.url}/trpc/${batch}?batch=1&input={}`);
    expect(tooMany.status).toBeGreaterThanOrEqual(400);
    expect(tooMany.status).toBeLessThan(500);
  });
});

describe('gateway limits', () => {
  it('rate-limits a client that sends too much, with Retry-After', async () => {
    const gw = await startTestGateway({ GATEWAY_RATE_LIMIT_PER_MIN: '60' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++)
        statuses.push((await fetch(`${gw.url}/trpc/markets.latest`)).status);
      expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
      expect(statuses).toContain(429);
      const limited = await fetch(`${gw.url}/trpc/markets.latest`);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await gw.stop();
    }
  });

  it('is read-only without a token configured', async () => {
    const gw = await startTestGateway({ GATEWAY_TOKEN: '' });
    try {
      const result = await rawMutation(
        gw.url,
        'resources.delete',
        { kind: 'CryptoSource', key: 'sim' },
        TOKEN,
      );
      expect(result.status).toBe(403);
      expect(result.body).toContain('read-only');
    } finally {
      await gw.stop();
    }
  });
});
