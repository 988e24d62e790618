import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cryptoSourceSpecSchema } from '@cryptoviz/resources';
import { createReplayProvider, ProviderError, type Tick } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'replay-'));
/** Writes a CSV into the data directory; returns its path relative to it, as a manifest has it. */
function csv(name: string, rows: [string, number][]): string {
  writeFileSync(
    join(dir, name),
    ['time,open,high,low,close,volume', ...rows.map(([t, c]) => `${t},${c},${c},${c},${c},2`)].join(
      '\n',
    ),
  );
  return name;
}
const hours = (n: number, base: number, step = 1) =>
  Array.from({ length: n }, (_, i): [string, number] => [
    new Date(Date.parse('2020-01-01T00:00:00Z') + i * 3_600_000).toISOString(),
    base + i * step,
  ]);
const signal = new AbortController().signal;

/** `published`: symbol → the time of its newest tick already published. */
function replay(
  data: Record<string, string>,
  extra: Record<string, unknown> = {},
  published: Record<string, string> = {},
) {
  const clock = { now: 1_000_000 };
  const spec = cryptoSourceSpecSchema.parse({
    provider: 'replay',
    symbols: Object.keys(data),
    replay: { data, speed: 3600, ...extra },
  });
  const lastTicks = new Map(
    Object.entries(published).map(([symbol, time]) => [symbol, { symbol, time } as Tick]),
  );
  const context = { source: 'default/rp', spec, now: () => clock.now, lastTicks, dataDir: dir };
  return { clock, p: createReplayProvider(context) };
}

describe('replay provider', () => {
  it('plays bars in order, at the set speed, with their original times', async () => {
    const { clock, p } = replay({
      BTC: csv('btc.csv', hours(30, 100)),
      ETH: csv('eth.csv', hours(30, 10)),
    });
    const first = await p.poll(signal);
    expect(first.ticks.map((t) => [t.symbol, t.price, t.time])).toEqual([
      ['BTC', 100, '2020-01-01T00:00:00.000Z'],
      ['ETH', 10, '2020-01-01T00:00:00.000Z'],
    ]);
    // Speed 3600: the next hourly bar is due one second later.
    expect(first.nextPollInMs).toBe(1_000);
    clock.now += 2_500;
    const next = await p.poll(signal);
    expect(next.ticks.map((t) => `${t.symbol}@${t.time.slice(11, 13)}=${t.price}`)).toEqual([
      'BTC@01=101',
      'BTC@02=102',
      'ETH@01=11',
      'ETH@02=12',
    ]);
    expect(next.nextPollInMs).toBe(500);
    clock.now += 30_000;
    const rest = await p.poll(signal);
    expect(rest.exhausted).toBe(true);
    const btc = rest.ticks.filter((t) => t.symbol === 'BTC');
    expect(btc.map((t) => t.price)).toEqual(
      hours(30, 100)
        .slice(3)
        .map(([, c]) => c),
    );
    // 24 h after the first bar: the change is against the bar 24 h earlier (100 → 124).
    expect(btc.find((t) => t.time === '2020-01-02T00:00:00.000Z')!.change24hPct).toBeCloseTo(24);
    // Rolling 24 h traded value in quote units: 24 bars of volume 2 × close.
    const at = btc.find((t) => t.time === '2020-01-02T00:00:00.000Z')!;
    const expected = hours(25, 100)
      .slice(1)
      .reduce((s, [, c]) => s + 2 * c, 0);
    expect(at.volume24h).toBeCloseTo(expected);
  });

  it('loops with shifted times, and re-times bars to now when asked', async () => {
    const { clock, p } = replay(
      { BTC: csv('short.csv', hours(3, 50)) },
      { loop: true, align: 'now' },
    );
    const ticks = [];
    for (let i = 0; i < 7; i++) {
      ticks.push(...(await p.poll(signal)).ticks);
      clock.now += 1_000;
    }
    expect(ticks.map((t) => t.price)).toEqual([50, 51, 52, 50, 51, 52, 50]);
    expect(ticks.map((t) => Date.parse(t.time) - 1_000_000)).toEqual([
      0, 1000, 2000, 3000, 4000, 5000, 6000,
    ]);
  });

  it('resumes after the newest tick already published, at once and at the set speed', async () => {
    const { clock, p } = replay(
      { BTC: csv('resume.csv', hours(10, 100)) },
      {},
      { BTC: '2020-01-01T04:00:00.000Z' },
    );
    const first = await p.poll(signal);
    expect(first.ticks.map((t) => [t.time, t.price])).toEqual([['2020-01-01T05:00:00.000Z', 105]]);
    clock.now += 1_000;
    expect((await p.poll(signal)).ticks.map((t) => t.price)).toEqual([106]);
  });

  it('resumes each symbol after its own newest tick; a symbol added since starts at its first bar', async () => {
    const { clock, p } = replay(
      { BTC: csv('resume-btc.csv', hours(10, 100)), ETH: csv('resume-eth.csv', hours(10, 10)) },
      {},
      { BTC: '2020-01-01T01:00:00.000Z' },
    );
    const played: string[] = [];
    for (let i = 0; i < 4; i++, clock.now += 1_000) {
      for (const t of (await p.poll(signal)).ticks)
        played.push(`${t.symbol}@${t.time.slice(11, 13)}`);
    }
    expect(played).toEqual(['ETH@00', 'ETH@01', 'BTC@02', 'ETH@02', 'BTC@03', 'ETH@03']);
  });

  it('reports a broken file as a configuration error naming the line', async () => {
    writeFileSync(
      join(dir, 'bad.csv'),
      'time,open,high,low,close,volume\n2020-01-01T00:00:00Z,1,1,1,-5,1\n',
    );
    expect(await failure({ BTC: 'bad.csv' })).toBe(
      'replay.data.BTC "bad.csv": bad.csv:2: column "close": a price must be positive',
    );
  });

  it('refuses a symlink out of the data directory without reading the file', async () => {
    mkdirSync(join(dir, 'links'), { recursive: true });
    symlinkSync('/etc/passwd', join(dir, 'links/passwd.csv'));
    symlinkSync('/etc', join(dir, 'links/etc'));
    for (const path of ['links/passwd.csv', 'links/etc/passwd']) {
      const message = await failure({ BTC: path });
      expect(message).toBe(
        `replay.data.BTC "${path}": leads out of the data directory (through a symlink)`,
      );
      expect(message).not.toContain('root');
    }
  });

  it('refuses a path that leaves the data directory even if the schema was bypassed', async () => {
    // A spec built by hand, as a caller that skips the schema could: the provider checks again.
    for (const path of ['/etc/passwd', '../../../../etc/passwd']) {
      const spec = {
        ...cryptoSourceSpecSchema.parse({
          provider: 'replay',
          symbols: ['BTC'],
          replay: { data: { BTC: 'btc.csv' } },
        }),
      };
      spec.replay!.data = { BTC: path };
      const p = createReplayProvider({ source: 'default/rp', spec, dataDir: dir });
      const error = (await p.poll(signal).catch((e: unknown) => e)) as ProviderError;
      expect(error.kind).toBe('config');
      expect(error.message).toBe(
        `replay.data.BTC "${path}": must be relative to the data directory, with no '..', leading '/' or '//'`,
      );
    }
  });

  it('names a missing file, or a directory, without the directory it looked in', async () => {
    mkdirSync(join(dir, 'folder.csv'), { recursive: true });
    expect(await failure({ BTC: 'nowhere.csv' })).toBe(
      'replay.data.BTC "nowhere.csv": no such file in the data directory',
    );
    expect(await failure({ BTC: 'folder.csv' })).toBe(
      'replay.data.BTC "folder.csv": is not a regular file',
    );
  });

  it('reads a path relative to the working directory when no data directory is set', async () => {
    // Tests run from the repository root, as `cryptoviz up` does: the shipped sample plays.
    const spec = cryptoSourceSpecSchema.parse({
      provider: 'replay',
      symbols: ['BTC'],
      replay: { data: { BTC: 'data/market/binance-btcusdt-1h.csv' }, speed: 3600 },
    });
    const p = createReplayProvider({ source: 'default/rp', spec });
    const first = await p.poll(signal);
    expect(first.ticks[0]).toMatchObject({ symbol: 'BTC', provider: 'replay' });
  });
});

/** The configuration error a replay of `data` fails its first poll with. */
async function failure(data: Record<string, string>): Promise<string> {
  const error = await replay(data)
    .p.poll(signal)
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderError);
  expect((error as ProviderError).kind).toBe('config');
  return (error as Error).message;
}
