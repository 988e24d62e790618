import { signalFor, type Forecast } from '@cryptoviz/forecast';
import { parseDuration } from '@cryptoviz/resources';
import { TRPCClientError } from '@trpc/client';
import { get } from 'svelte/store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiOutputs } from '../src/lib/api.ts';
import { candleCount, foldPrice, intervalFor } from '../src/lib/candles.ts';
import { keptChoice } from '../src/lib/choice.ts';
import { coalesce } from '../src/lib/coalesce.ts';
import { consensusFor } from '../src/lib/consensus.ts';
import { startRequest } from '../src/lib/current-request.ts';
import { spreadOf } from '../src/lib/divergence.ts';
import {
  chartKeyOf,
  chartRange,
  fromLive,
  horizonsOf,
  mergeForecasts,
  priceLine,
} from '../src/lib/forecasts.ts';
import { chartFrame, scales } from '../src/lib/forecast-chart.ts';
import {
  formatAge,
  formatHorizon,
  formatPercent,
  formatPrice,
  formatStorage,
  priceDecimals,
} from '../src/lib/format.ts';
import { failed, resultFor, succeeded } from '../src/lib/keyed-result.ts';
import { listingRefresh, statusFingerprint } from '../src/lib/listing-refresh.ts';
import { follow, overallLink } from '../src/lib/live-status.ts';
import { applyTick, buildRows, sortedRows } from '../src/lib/market-table.ts';
import { bucketOf, sparklinePath, traceGrid } from '../src/lib/sparkline.ts';

const tick = (source: string, symbol: string, price: number, time: string) => ({
  source,
  symbol,
  price,
  time,
  provider: 'synthetic' as const,
  quote: 'USD',
  volume24h: null,
  marketCap: null,
  change24hPct: 1,
});

const prediction = (model: string, algorithm: string, point: number, horizonS = 3_600) => ({
  model,
  algorithm,
  source: 'sim',
  symbol: 'BTC',
  horizonS,
  madeAt: '2026-11-22T00:00:00.000Z',
  targetAt: '2026-11-22T01:00:00.000Z',
  originPrice: 100,
  point,
  lower: point - 1,
  upper: point + 1,
  confidence: 0.8,
  signal: 'HOLD' as const,
  realized: null,
  error: null,
  scoredAt: null,
});

describe('consensus', () => {
  it('weights models by 1/MAE, leaves naive out, and calls the signal on the combined move', () => {
    const preds = [
      prediction('good', 'ridge', 101),
      prediction('bad', 'momentum', 97),
      prediction('base', 'naive', 100),
      prediction('other-horizon', 'ridge', 150, 21_600),
    ];
    const equal = consensusFor(preds, 3_600)!;
    expect(equal.models).toBe(2);
    expect(equal.point).toBeCloseTo(99, 9);
    const weighted = consensusFor(
      preds,
      3_600,
      new Map([
        ['good', 1],
        ['bad', 9],
      ]),
    )!;
    expect(weighted.point).toBeCloseTo((101 + 97 / 9) / (1 + 1 / 9), 9);
    expect(weighted.signal).toBe('BUY');
    expect(consensusFor([prediction('base', 'naive', 100)], 3_600)).toBeNull();
  });

  it('calls its signal by the models’ own default rule (signalFor), at and around its edges', () => {
    for (const point of [99.7, 99.8, 99.81, 100, 100.19, 100.2, 100.21, 101]) {
      for (const confidence of [0.5, 0.69, 0.7, 0.9]) {
        const call = consensusFor([{ ...prediction('m', 'ridge', point), confidence }], 3_600)!;
        expect(call.signal, `point ${point}, confidence ${confidence}`).toBe(
          // Only what a signal reads of a forecast.
          signalFor({ point, last: 100, confidence } as Forecast),
        );
      }
    }
  });
});

describe('markets table', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  const askedAt = Date.parse('2026-11-22T12:00:00Z');
  const grid = traceGrid(askedAt);

  it('applies newer ticks, ignores replayed older ones, and updates the trace', () => {
    let rows = buildRows(
      [tick('a', 'BTC', 100, '2026-11-22T11:59:01Z')],
      [{ source: 'a', symbol: 'BTC', closes: [90, 100] }],
      grid,
    );
    rows = applyTick(rows, tick('a', 'BTC', 101, '2026-11-22T11:59:02Z'), grid);
    expect(rows.get('BTC\u0000a')).toMatchObject({ price: 101, moved: 'up', trace: [90, 101] });
    const same = applyTick(rows, tick('a', 'BTC', 50, '2026-11-22T11:59:01Z'), grid);
    expect(same).toBe(rows);
    rows = applyTick(rows, tick('b', 'BTC', 102, '2026-11-22T12:00:02Z'), grid);
    rows = applyTick(rows, tick('a', 'ADA', 1, '2026-11-22T12:00:02Z'), grid);
    expect(sortedRows(rows).map((r) => `${r.symbol}/${r.source}`)).toEqual([
      'ADA/a',
      'BTC/a',
      'BTC/b',
    ]);
  });

  it('bins live ticks into the sparkline buckets, so the trace stays 24 hours long', () => {
    const closes = Array.from({ length: 48 }, (_, i) => 100 + i);
    let rows = buildRows(
      [tick('a', 'BTC', 147, '2026-11-22T11:59:30Z')],
      [{ source: 'a', symbol: 'BTC', closes }],
      grid,
    );
    const trace = () => rows.get('BTC\u0000a')!.trace;
    // A hundred ticks a second apart all fall in the first live half-hour: one new point,
    // and the window moved past the oldest.
    for (let s = 1; s <= 100; s++) {
      rows = applyTick(rows, tick('a', 'BTC', 200 + s, iso(askedAt + s * 1_000)), grid);
    }
    expect(trace()).toEqual([...closes.slice(1), 300]);
    // Six hours on, twelve more buckets have passed: what is older than 24 h drops out.
    rows = applyTick(rows, tick('a', 'BTC', 400, iso(askedAt + 6 * 3_600_000)), grid);
    expect(trace()).toEqual([...closes.slice(13), 300, 400]);
    // A day of silence leaves nothing but the newest price.
    rows = applyTick(rows, tick('a', 'BTC', 500, iso(askedAt + 31 * 3_600_000)), grid);
    expect(trace()).toEqual([500]);
  });

  it('numbers buckets from the snapshot: its last is -1, the first live one 0', () => {
    expect(grid.bucketMs).toBe(1_800_000);
    expect(bucketOf(grid, askedAt - 1)).toBe(-1);
    expect(bucketOf(grid, askedAt)).toBe(0);
    expect(bucketOf(grid, askedAt + 1_800_000)).toBe(1);
    expect(bucketOf(grid, askedAt - 24 * 3_600_000)).toBe(-48);
  });

  it('highlights the source that strays from the median', () => {
    const rows = sortedRows(
      buildRows(
        [
          tick('a', 'BTC', 100, '2026-11-22T00:00:00Z'),
          tick('b', 'BTC', 100.1, '2026-11-22T00:00:00Z'),
          tick('c', 'BTC', 101, '2026-11-22T00:00:00Z'),
        ],
        [],
        grid,
      ),
    );
    const spread = spreadOf('BTC', rows)!;
    expect(spread.median).toBe(100.1);
    expect(spread.quotes.filter((q) => q.divergent).map((q) => q.source)).toEqual(['c']);
    expect(spreadOf('ETH', rows)).toBeNull();
  });
});

describe('candles', () => {
  it('bounds candle counts and folds live prices into the current bar', () => {
    expect(candleCount('30d', '1m')).toBe(43_200);
    expect(intervalFor('30d')).toBe('1h');
    expect(intervalFor('6h')).toBe('1m');
    const bar = foldPrice(undefined, 10, Date.parse('2026-11-22T00:00:30Z'), '1m');
    expect(bar).toEqual({
      time: Date.parse('2026-11-22T00:00:00Z') / 1000,
      open: 10,
      high: 10,
      low: 10,
      close: 10,
    });
    const same = foldPrice(bar, 12, Date.parse('2026-11-22T00:00:50Z'), '1m');
    expect(same).toMatchObject({ open: 10, high: 12, close: 12 });
    const next = foldPrice(same, 9, Date.parse('2026-11-22T00:01:01Z'), '1m');
    expect(next.time).toBe(bar.time + 60);
  });
});

describe('formatting and sparklines', () => {
  it('formats prices, changes and ages for people', () => {
    expect(formatPrice(64213.12)).toBe('64,213.1');
    expect(formatPrice(3012.549)).toBe('3,012.5');
    expect(formatPrice(0.084312)).toBe('0.084312');
    expect(formatPrice(null)).toBe('—');
    // The candle axis takes the same decimals: a coin near 0.1 is not labelled 0.10 throughout.
    expect([64213, 12.5, 0.4312, 0.1012].map(priceDecimals)).toEqual([1, 2, 5, 5]);
    expect(formatPercent(1.234)).toBe('+1.23%');
    expect(formatAge(5)).toBe('5 s ago');
    expect(formatAge(7_200)).toBe('2 h ago');
  });

  it('names a horizon exactly as the gateway parses it back, 90 s included', () => {
    const horizons = [30, 90, 60, 300, 5_400, 3_600, 21_600, 86_400];
    expect(horizons.map(formatHorizon)).toEqual([
      '30s',
      '90s',
      '1m',
      '5m',
      '90m',
      '1h',
      '6h',
      '24h',
    ]);
    for (const seconds of horizons)
      expect(parseDuration(formatHorizon(seconds))).toBe(seconds * 1000);
  });

  it('says which storage flavor, and on TimescaleDB its chunks and compression', () => {
    const none = { chunks: null, compressedChunks: null, compressionRatio: null };
    expect(formatStorage({ flavor: 'postgresql', ...none })).toBe('PostgreSQL');
    expect(formatStorage({ flavor: 'timescaledb', ...none, chunks: 1, compressedChunks: 0 })).toBe(
      'TimescaleDB · 1 chunk · none compressed yet',
    );
    expect(
      formatStorage({
        flavor: 'timescaledb',
        chunks: 12,
        compressedChunks: 9,
        compressionRatio: 8.04,
      }),
    ).toBe('TimescaleDB · 12 chunks · 8.0× compressed (9)');
  });

  it('draws a trace scaled into its box', () => {
    expect(sparklinePath([1, 2, 3], 100, 10)).toBe('M0.0,10.0 L50.0,5.0 L100.0,0.0');
    expect(sparklinePath([1], 100, 10)).toBe('');
  });
});

describe('live status', () => {
  afterEach(() => vi.useRealTimers());
  type Handlers = Parameters<Parameters<typeof follow>[1]>[0];
  const opened = () => {
    let handlers: Handlers | undefined;
    const close = follow(
      'stream',
      (h) => {
        handlers = h;
        return { unsubscribe: () => undefined };
      },
      () => undefined,
    );
    return { handlers: handlers!, close };
  };

  it('says reconnecting while the link retries, offline once it gave up', () => {
    const { handlers, close } = opened();
    expect(get(overallLink)).toBe('connecting');
    handlers.onStarted();
    expect(get(overallLink)).toBe('live');
    handlers.onConnectionStateChange({ state: 'connecting', error: new Error('network') });
    expect(get(overallLink)).toBe('reconnecting');
    // A fatal error (the gateway's subscription limit, say) ends the subscription for good.
    handlers.onError(new Error('too many subscriptions'));
    expect(get(overallLink)).toBe('offline');
    close();
    expect(get(overallLink)).toBe('idle');
  });

  it('reopens a stream the link gave up on from the last event it delivered', () => {
    vi.useFakeTimers();
    const opens: { handlers: Handlers; lastEventId: string | undefined }[] = [];
    const received: unknown[] = [];
    const close = follow<{ id: string; data: number }>(
      'ticks',
      (handlers, lastEventId) => {
        opens.push({ handlers, lastEventId });
        return { unsubscribe: () => undefined };
      },
      (event) => received.push(event.data),
    );
    expect(opens.map((o) => o.lastEventId)).toEqual([undefined]);
    opens[0]!.handlers.onStarted();
    opens[0]!.handlers.onData({ id: '41', data: 1 });
    opens[0]!.handlers.onData({ id: '42:3', data: 2 });
    // No answer from the gateway (a 502 from the web server while it restarts): retried.
    opens[0]!.handlers.onError(new TRPCClientError('fetch failed'));
    expect(get(overallLink)).toBe('reconnecting');
    vi.advanceTimersByTime(1_000);
    expect(opens.map((o) => o.lastEventId)).toEqual([undefined, '42:3']);
    // A reopened stream that failed before delivering anything resumes from the same place.
    opens[1]!.handlers.onError(new TRPCClientError('fetch failed'));
    vi.advanceTimersByTime(2_000);
    expect(opens.map((o) => o.lastEventId)).toEqual([undefined, '42:3', '42:3']);
    expect(received).toEqual([1, 2]);
    close();
  });

  it('says offline when the gateway ends a stream, but not when the page closes it', () => {
    const ended = opened();
    ended.handlers.onStarted();
    ended.handlers.onComplete();
    expect(get(overallLink)).toBe('offline');
    ended.close();
    const closed = opened();
    closed.close();
    closed.handlers.onComplete();
    expect(get(overallLink)).toBe('idle');
  });
});

describe('pickers', () => {
  it('keep a choice while it is offered, else take the first option, or none', () => {
    expect(keptChoice('sim', ['far', 'sim'])).toBe('sim');
    expect(keptChoice('gone', ['far', 'sim'])).toBe('far');
    expect(keptChoice(null, ['far'])).toBe('far');
    expect(keptChoice('sim', [])).toBeNull();
  });
});

describe('forecast chart scales', () => {
  const box = { width: 760, height: 300, left: 8, right: 64, top: 12, bottom: 24 };
  const hour = 3_600_000;
  // This year's June: another year's dates carry the year (tested with the time formats).
  const start = Date.UTC(new Date().getUTCFullYear(), 5, 8, 10);

  it('is drawn at the width shown: shorter, with fewer time labels, on a phone', () => {
    const heights = { wide: 300, narrow: 240 };
    expect(chartFrame(760, heights, 64)).toEqual({ box, timeLabels: 5 });
    expect(chartFrame(390, heights, 64)).toEqual({
      box: { ...box, width: 390, height: 240 },
      timeLabels: 3,
    });
    // Never narrower than its labels need, however small the panel.
    expect(chartFrame(100, heights, 64).box.width).toBe(280);
  });

  it('labels a span of days with dates, and a span of hours with times alone', () => {
    const days = scales([start, start + 45 * hour], [516.8, 604.4], box);
    expect(days.ticks.map((t) => t.label)).toEqual([
      '8 Jun, 10:00',
      '8 Jun, 21:15',
      '9 Jun, 08:30',
      '9 Jun, 19:45',
      '10 Jun, 07:00',
    ]);
    // The outer labels stay inside the chart.
    expect(days.ticks.map((t) => t.anchor)).toEqual(['start', 'middle', 'middle', 'middle', 'end']);
    // A narrow chart gets fewer labels, so they do not run into each other.
    const narrow = scales([start, start + 45 * hour], [516.8, 604.4], { ...box, width: 330 }, 3);
    expect(narrow.ticks.map((t) => [t.label, t.anchor])).toEqual([
      ['8 Jun, 10:00', 'start'],
      ['9 Jun, 08:30', 'middle'],
      ['10 Jun, 07:00', 'end'],
    ]);
    const hours = scales([start, start + 4 * hour], [516.8, 604.4], box);
    expect(hours.ticks.map((t) => t.label)).toEqual(['10:00', '11:00', '12:00', '13:00', '14:00']);
  });

  it('puts price labels on round values inside the drawn range', () => {
    const s = scales([start, start + hour], [516.8, 604.4], box);
    expect(s.priceTicks.map((t) => t.label)).toEqual(['520', '540', '560', '580', '600']);
    for (const tick of s.priceTicks) {
      expect(tick.y).toBeGreaterThanOrEqual(box.top);
      expect(tick.y).toBeLessThanOrEqual(box.height - box.bottom);
    }
    // However narrow the range, no two labels read the same (a keyed list of them must not).
    const narrow = scales([start, start + hour], [3_398.1, 3_398.3], box).priceTicks.map(
      (t) => t.label,
    );
    expect(narrow.length).toBeGreaterThanOrEqual(3);
    expect(new Set(narrow).size).toBe(narrow.length);
    expect(narrow[0]).toMatch(/^3,398\.\d{2}$/);
    // The newest time is drawn left of the price labels, with room for the consensus marker.
    expect(s.x(start + hour)).toBeLessThan(box.width - box.right - 10);
  });
});

describe('predictions page', () => {
  const at = (model: string, madeAt: string, point = 100, horizonS = 3_600) => ({
    ...prediction(model, 'ridge', point, horizonS),
    madeAt,
  });

  it('keeps each series’ newest forecast in place, and the same array when none is newer', () => {
    const latest = [at('a', '2026-11-22T01:00:00Z'), at('b', '2026-11-22T01:00:00Z')];
    const live = fromLive({ ...at('a', '2026-11-22T02:00:00Z', 105) });
    expect(live).toMatchObject({ realized: null, error: null, scoredAt: null });
    const merged = mergeForecasts(latest, [live]);
    expect(merged.map((p) => `${p.model}@${p.point}`)).toEqual(['a@105', 'b@100']);
    // A forecast replayed on a resume, or an older snapshot landing late, changes nothing.
    expect(mergeForecasts(merged, [at('a', '2026-11-22T01:00:00Z', 1)])).toBe(merged);
  });

  it('keys the chart by its selection, not by how new its forecasts are', () => {
    const first = [at('a', '2026-11-22T01:00:00Z'), at('b', '2026-11-22T01:00:00Z')];
    const newer = mergeForecasts(first, [at('b', '2026-11-22T02:00:00Z', 101)]);
    expect(chartKeyOf(newer)).toBe(chartKeyOf(first));
    expect(chartKeyOf([...newer, at('c', '2026-11-22T02:00:00Z')])).not.toBe(chartKeyOf(first));
    expect(chartKeyOf([at('a', '2026-11-22T01:00:00Z', 100, 21_600)])).not.toBe(
      chartKeyOf([at('a', '2026-11-22T01:00:00Z')]),
    );
    expect(chartKeyOf([])).toBeNull();
    // Anchored at the newest forecast (event time), never past now.
    expect(chartRange(newer, Date.parse('2026-11-23T00:00:00Z'))).toEqual({
      from: '2026-11-20T03:00:00.000Z',
      to: '2026-11-22T03:00:00.000Z',
    });
    expect(chartRange(newer, Date.parse('2026-11-22T02:30:00Z')).to).toBe(
      '2026-11-22T02:30:00.000Z',
    );
  });

  it('draws the price from hourly closes and the realized prices of scored forecasts', () => {
    const candle = (time: string, close: number) => ({
      time,
      open: close,
      high: close,
      low: close,
      close,
      ticks: 1,
    });
    const scored = {
      ...at('a', '2026-11-21T22:00:00Z'),
      targetAt: '2026-11-21T23:00:00Z',
      realized: 99,
    };
    const now = Date.parse('2026-11-22T01:30:00Z');
    expect(
      priceLine(
        [candle('2026-11-22T00:00:00Z', 101), candle('2026-11-22T01:00:00Z', 102)],
        [scored],
        now,
      ),
    ).toEqual([
      [Date.parse('2026-11-21T23:00:00Z'), 99],
      [Date.parse('2026-11-22T01:00:00Z'), 101],
      [now, 102],
    ]);
  });

  it('drops the answer of a request cancelled for a newer selection, and aborts its fetch', async () => {
    const shown: string[] = [];
    let answerOld!: (value: string) => void;
    let oldSignal!: AbortSignal;
    const old = startRequest(
      (signal) => {
        oldSignal = signal;
        return new Promise<string>((resolve) => (answerOld = resolve));
      },
      (value) => shown.push(value),
      () => shown.push('failed'),
    );
    old.cancel();
    const current = startRequest(
      () => Promise.resolve('BTC 6h'),
      (value) => shown.push(value),
      () => shown.push('failed'),
    );
    await current.settled;
    answerOld('ETH 1h');
    await old.settled;
    expect(oldSignal.aborted).toBe(true);
    expect(shown).toEqual(['BTC 6h']);

    const cancelledFailure = startRequest(
      () => Promise.reject(new Error('aborted')),
      () => undefined,
      () => shown.push('failed'),
    );
    cancelledFailure.cancel();
    await cancelledFailure.settled;
    const failure = startRequest(
      () => {
        throw new Error('gateway down');
      },
      () => undefined,
      (err) => shown.push((err as Error).message),
    );
    await failure.settled;
    expect(shown).toEqual(['BTC 6h', 'gateway down']);
  });

  it('shows an error with its own selection, keeps older data under it, and clears it on success', () => {
    const ok = succeeded('BTC|7', [1, 2]);
    const broken = failed(ok, 'BTC|7', 'timeout');
    expect(broken).toEqual({ key: 'BTC|7', value: [1, 2], error: 'timeout' });
    expect(failed(ok, 'ETH|7', 'timeout').value).toBeNull();
    // Another coin's data or error is never shown under this one: it is loading.
    expect(resultFor(broken, 'ETH|7')).toEqual({ key: 'ETH|7', value: null, error: null });
    expect(resultFor(succeeded('BTC|7', [3]), 'BTC|7')).toEqual({
      key: 'BTC|7',
      value: [3],
      error: null,
    });
  });

  describe('refreshing on live forecasts', () => {
    afterEach(() => vi.useRealTimers());

    it('re-reads at most once per wait however fast forecasts come, and never before it', () => {
      vi.useFakeTimers();
      const run = vi.fn();
      const refresh = coalesce(run, 5_000);
      for (let t = 0; t < 12_000; t += 250) {
        refresh.request();
        vi.advanceTimersByTime(250);
        if (t < 4_750) expect(run).not.toHaveBeenCalled();
      }
      expect(run).toHaveBeenCalledTimes(2);
      vi.advanceTimersByTime(5_000);
      expect(run).toHaveBeenCalledTimes(3);
      refresh.request();
      refresh.cancel();
      vi.advanceTimersByTime(10_000);
      expect(run).toHaveBeenCalledTimes(3);
    });
  });
});

describe('resources listing refresh', () => {
  type Health = ApiOutputs['health']['pipeline'];
  type Worker = Health['workers'][number];
  const worker = (id: string, resource: string, extra: Partial<Worker> = {}): Worker => ({
    id,
    role: 'fetcher',
    resource,
    startedAt: '2026-11-22T00:00:00Z',
    lastSeen: '2026-11-22T00:00:05Z',
    ageS: 1,
    stale: false,
    counters: { ticks: 10 },
    lastError: null,
    ...extra,
  });
  const snapshot = (workers: Worker[], ageS = 2) => ({
    workers,
    freshness: [
      { source: 'sim', lastTickAt: '2026-11-22T00:00:04Z', ageS, stale: false, symbols: 3 },
    ],
  });

  it('changes with workers, their staleness and errors, not with ages or counters', () => {
    const base = statusFingerprint(snapshot([worker('f-1', 'sim')]));
    const later = snapshot([worker('f-1', 'sim', { ageS: 4, counters: { ticks: 99 } })], 7);
    expect(statusFingerprint(later)).toBe(base);
    for (const changed of [
      snapshot([worker('f-1', 'sim', { stale: true })]),
      snapshot([worker('f-1', 'sim', { lastError: { kind: 'http', message: '503' } })]),
      snapshot([worker('f-1', 'sim'), worker('f-2', 'sim')]),
      snapshot([]),
      { ...snapshot([worker('f-1', 'sim')]), freshness: [] },
    ]) {
      expect(statusFingerprint(changed)).not.toBe(base);
    }
    // Workers the listing does not describe (writers, the gateway) do not matter.
    const writer = worker('w-1', 'writer', { role: 'writer' });
    expect(statusFingerprint(snapshot([worker('f-1', 'sim'), writer]))).toBe(base);
  });

  it('reads the listing again only when a snapshot changed, or once it is old', () => {
    let now = 0;
    const refresh = listingRefresh(60_000, () => now);
    const steady = snapshot([worker('f-1', 'sim')]);
    const reads: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      now += 5_000;
      reads.push(refresh.needsRead(snapshot([worker('f-1', 'sim', { ageS: i })], i)));
    }
    expect(reads).toEqual([false, false, false, false, false, false]);
    now += 5_000;
    expect(refresh.needsRead(snapshot([worker('f-1', 'sim', { stale: true })]))).toBe(true);
    refresh.markRead();
    now += 5_000;
    expect(refresh.needsRead(snapshot([worker('f-1', 'sim', { stale: true })]))).toBe(false);
    expect(refresh.needsRead(steady)).toBe(true);
    refresh.markRead();
    now += 60_000;
    expect(refresh.needsRead(steady)).toBe(true);
  });
});

describe('the horizons offered on the predictions page', () => {
  it('are 1h and 6h and any other the coin has, shortest first', () => {
    const forecasts = [
      { symbol: 'BTC', horizonS: 900 },
      { symbol: 'BTC', horizonS: 300 },
      { symbol: 'BTC', horizonS: 900 },
      { symbol: 'ETH', horizonS: 3_600 },
    ];
    expect(horizonsOf(forecasts, 'BTC')).toEqual([300, 900, 3_600, 21_600]);
    expect(horizonsOf(forecasts, 'ETH')).toEqual([3_600, 21_600]);
    expect(horizonsOf(forecasts, 'SOL')).toEqual([3_600, 21_600]);
    expect(horizonsOf([], null)).toEqual([3_600, 21_600]);
  });
});
