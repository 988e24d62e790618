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
  return createSyntheticProvider({ source: 'sim', spec, now: () => clock.now });
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
});
