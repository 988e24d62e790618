import { describe, expect, it } from 'vitest';
import { cryptoSourceSpecSchema } from '@cryptoviz/resources';
import { createSyntheticProvider, tickSchema, type Tick } from '../src/index.ts';

const start = Date.parse('2025-01-01T00:00:00Z');
const signal = new AbortController().signal;

function provider(seed: number, clock: { now: number }, interval = '1s') {
  const spec = cryptoSourceSpecSchema.parse({
    provider: 'synthetic',
    symbols: ['BTC', 'ETH', 'NEWCOIN'],
    interval,
    synthetic: { seed, start: new Date(start).toISOString() },
  });
  return createSyntheticProvider({ source: 'default/sim', spec, now: () => clock.now });
}

async function run(seed: number, seconds: number, interval = '1s'): Promise<Tick[]> {
  const clock = { now: start + seconds * 1000 };
  return (await provider(seed, clock, interval).poll(signal)).ticks;
}

describe('synthetic provider', () => {
  it('gives the same ticks for the same seed, and different ones for another seed', async () => {
    const a = await run(7, 600);
    const b = await run(7, 600);
    const c = await run(8, 600);
    expect(a).toHaveLength(601 * 3);
    expect(b).toEqual(a);
    expect(c.map((t) => t.price)).not.toEqual(a.map((t) => t.price));
    expect(c.map((t) => t.time)).toEqual(a.map((t) => t.time));
  });

  it('emits valid ticks from realistic starting prices, one step per interval as time passes', async () => {
    const clock = { now: start + 2_500 };
    const p = provider(1, clock);
    const first = await p.poll(signal);
    expect(first.ticks.map((t) => t.time)).toEqual(
      ['00', '00', '00', '01', '01', '01', '02', '02', '02'].map(
        (s) => `2025-01-01T00:00:${s}.000Z`,
      ),
    );
    expect(first.nextPollInMs).toBe(500);
    for (const tick of first.ticks) expect(tickSchema.parse(tick)).toEqual(tick);
    const btc = first.ticks.find((t) => t.symbol === 'BTC')!;
    expect(btc.price).toBeGreaterThan(60_000);
    expect(btc.price).toBeLessThan(70_000);
    expect(btc.marketCap! / btc.price).toBeCloseTo(19.7e6, -3);

    expect((await p.poll(signal)).ticks).toEqual([]);
    clock.now += 1_000;
    const next = await p.poll(signal);
    expect(next.ticks.map((t) => t.symbol)).toEqual(['BTC', 'ETH', 'NEWCOIN']);
  });

  it('moves like its volatility says: annualized realized volatility near the profile', async () => {
    const ticks = (await run(3, 3 * 86_400, '60s')).filter((t) => t.symbol === 'BTC');
    expect(ticks).toHaveLength(3 * 1_440 + 1);
    const returns = ticks.slice(1).map((t, i) => Math.log(t.price / ticks[i]!.price));
    const mean = returns.reduce((s, r) => s + r, 0) / returns.length;
    const variance = returns.reduce((s, r) => s + (r - mean) ** 2, 0) / (returns.length - 1);
    const annualized = Math.sqrt(variance * 365.25 * 1_440);
    expect(annualized).toBeGreaterThan(0.5);
    expect(annualized).toBeLessThan(0.6);
    // After a day of steps the 24 h change is known and consistent with the prices.
    const last = ticks.at(-1)!;
    const dayAgo = ticks.find((t) => Date.parse(t.time) === Date.parse(last.time) - 86_400_000)!;
    expect(last.change24hPct).toBeCloseTo((last.price / dayAgo.price - 1) * 100, 10);
    expect(ticks[10]!.change24hPct).toBeNull();
  });

  it('backfills the hours before its start, four ticks a minute, continuous with the live path', async () => {
    const clock = { now: start + 2_500 };
    const withHistory = provider(5, clock);
    const history = (await withHistory.backfill!(26, signal)).ticks;
    expect(await provider(5, clock).backfill!(26, signal)).toEqual({ ticks: history, skipped: [] });
    for (const tick of history) expect(tickSchema.parse(tick)).toEqual(tick);

    const step = 15_000;
    const perDay = 86_400_000 / step;
    const btc = history.filter((t) => t.symbol === 'BTC');
    expect(btc).toHaveLength((26 * 3_600_000) / step);
    const times = btc.map((t) => Date.parse(t.time));
    expect(times[0]).toBe(start - 26 * 3_600_000);
    expect(times.at(-1)).toBe(start - step);
    expect(times.every((t, i) => i === 0 || t - times[i - 1]! === step)).toBe(true);
    // Each step moves like the volatility says: no jump into the live path either.
    const live = (await withHistory.poll(signal)).ticks.filter((t) => t.symbol === 'BTC');
    const prices = [...btc, ...live].map((t) => t.price);
    const stepSigma = 0.55 * Math.sqrt(step / (365.25 * 86_400_000));
    for (let i = 1; i < prices.length; i++) {
      expect(Math.abs(Math.log(prices[i]! / prices[i - 1]!))).toBeLessThan(6 * stepSigma);
    }
    // The 24 h change is known from the second day of history on, and so for the live ticks.
    expect(btc[perDay - 1]!.change24hPct).toBeNull();
    const last = btc.at(-1)!;
    const dayBefore = btc[btc.length - 1 - perDay]!;
    expect(last.change24hPct).toBeCloseTo((last.price / dayBefore.price - 1) * 100, 10);
    expect(live[0]!.change24hPct).not.toBeNull();

    // History leaves the live prices as they were without it.
    const withoutHistory = (await provider(5, clock).poll(signal)).ticks;
    expect(live.map((t) => t.price)).toEqual(
      withoutHistory.filter((t) => t.symbol === 'BTC').map((t) => t.price),
    );
  });

  it('walks on from where a previous run left each symbol, and fills the gap to it', async () => {
    const clock = { now: start + 2_500 };
    const left = {
      symbol: 'BTC',
      time: new Date(start - 3 * 3_600_000).toISOString(),
      price: 71_234.5,
    };
    const spec = cryptoSourceSpecSchema.parse({
      provider: 'synthetic',
      symbols: ['BTC', 'ETH'],
      interval: '1s',
      synthetic: { seed: 9, start: new Date(start).toISOString() },
    });
    const p = createSyntheticProvider({
      source: 'default/sim',
      spec,
      now: () => clock.now,
      lastTicks: new Map([['BTC', left as Tick]]),
    });
    const gap = (await p.backfill!(4, signal)).ticks.filter(
      (t) => t.symbol === 'BTC' && t.time > left.time,
    );
    const live = (await p.poll(signal)).ticks;
    const btc = [...gap, ...live.filter((t) => t.symbol === 'BTC')].map((t) => t.price);
    // The gap leaves from the price left behind, and every step after it is an ordinary one.
    expect(btc[0]).toBeCloseTo(left.price, 6);
    const stepSigma = 0.55 * Math.sqrt(15_000 / (365.25 * 86_400_000));
    for (let i = 1; i < btc.length; i++) {
      expect(Math.abs(Math.log(btc[i]! / btc[i - 1]!))).toBeLessThan(6 * stepSigma);
    }
    // ETH had no previous run: it starts from its profile price as before.
    const eth = live.find((t) => t.symbol === 'ETH')!;
    expect(eth.price).toBeGreaterThan(3_000);
    expect(eth.price).toBeLessThan(3_800);
  });
});
