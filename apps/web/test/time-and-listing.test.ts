import { describe, expect, it } from 'vitest';
import { candleWindow } from '../src/lib/candles.ts';
import { spreadOf } from '../src/lib/divergence.ts';
import { scales } from '../src/lib/forecast-chart.ts';
import { formatTime } from '../src/lib/format.ts';
import { keepListed, liveUpdates } from '../src/lib/live-listing.ts';
import type { MarketRow } from '../src/lib/market-table.ts';

const NOW = Date.parse('2026-03-10T12:00:00Z');

describe('dates as market time', () => {
  it('carries the year when it is not this year', () => {
    expect(formatTime('2026-03-10T11:59:58Z', NOW)).toBe('10 Mar, 11:59:58');
    expect(formatTime('2018-12-15T12:00:00Z', NOW)).toBe('15 Dec 2018, 12:00:00');
    expect(formatTime('2025-12-31T23:59:59Z', NOW)).toBe('31 Dec 2025, 23:59:59');
  });

  it('labels a chart of another year with its year, even within a day', () => {
    const box = { width: 760, height: 300, left: 8, right: 64, top: 12, bottom: 24 };
    const start = Date.parse('2018-12-15T10:00:00Z');
    const hours = scales([start, start + 4 * 3_600_000], [1, 2], box, 2);
    expect(hours.ticks.map((t) => t.label)).toEqual(['15 Dec 2018, 10:00', '15 Dec 2018, 14:00']);
  });
});

describe("candle ranges in the series' own time", () => {
  it('ends just past the newest tick, whenever that was', () => {
    expect(candleWindow('30d', '1h', Date.parse('2018-12-15T12:34:00Z'))).toEqual({
      from: '2018-11-15T13:00:00.000Z',
      to: '2018-12-15T13:00:00.000Z',
    });
    expect(candleWindow('1h', '1m', NOW)).toEqual({
      from: '2026-03-10T11:01:00.000Z',
      to: '2026-03-10T12:01:00.000Z',
    });
  });
});

const row = (source: string, price: number, time: string, quote = 'USD'): MarketRow => ({
  key: `BTC\u0000${source}`,
  source,
  symbol: 'BTC',
  quote,
  price,
  change24hPct: null,
  time,
  trace: [price],
  traceBucket: 0,
  moved: null,
});

describe('cross-source spread', () => {
  const rows = [
    row('sim', 70_000, '2026-03-10T11:59:59Z'),
    row('kraken', 70_070, '2026-03-10T11:58:00Z'),
    row('replay', 3_500, '2018-12-15T12:00:00Z', 'USDT'),
  ];

  it('compares only prices from the same time, naming the others', () => {
    const spread = spreadOf('BTC', rows)!;
    expect(spread.quotes.map((q) => q.source)).toEqual(['sim', 'kraken']);
    expect(spread.spreadBps).toBeCloseTo(10, 0);
    expect(spread.mixedQuotes).toBe(false);
    expect(spread.apart).toEqual([
      { source: 'replay', quote: 'USDT', time: '2018-12-15T12:00:00Z' },
    ]);
  });

  it("anchors on the chosen source's time", () => {
    const spread = spreadOf('BTC', rows, 'replay')!;
    expect(spread.quotes.map((q) => q.source)).toEqual(['replay']);
    expect(spread.spreadBps).toBe(0);
    expect(spread.apart.map((a) => a.source)).toEqual(['sim', 'kraken']);
  });
});

describe('live listings', () => {
  it('lets go of what the listing no longer has, unless it was updated after the ask', () => {
    let clock = 1_000;
    const updates = liveUpdates(() => clock);
    const items = ['sim', 'doomed', 'new'];
    updates.saw('doomed');
    clock = 2_000;
    const askedAt = clock;
    updates.saw('new');
    const kept = keepListed(items, (x) => x, new Set(['sim']), updates.since(askedAt));
    expect(kept).toEqual(['sim', 'new']);
    const all = keepListed(items, (x) => x, new Set(items), updates.since(askedAt));
    expect(all).toBe(items);
  });
});
