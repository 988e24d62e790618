import { resolveDataFile } from '../data-dir.ts';
import { readOhlcvCsv, type Bar } from '../ohlcv-csv.ts';
import type { Tick } from '../tick.ts';
import {
  ProviderError,
  type PollResult,
  type ProviderContext,
  type TickProvider,
} from './provider.ts';

const DAY_MS = 86_400_000;
const MAX_TICKS_PER_POLL = 20_000;

interface Series {
  symbol: string;
  bars: Bar[];
  /** Rolling 24 h traded value in the quote currency, per bar. */
  volume24h: Float64Array;
  /** Percent change against the bar exactly 24 h earlier, per bar (NaN where none). */
  change24hPct: Float64Array;
}

function prepare(symbol: string, bars: Bar[]): Series {
  const volume24h = new Float64Array(bars.length);
  const change24hPct = new Float64Array(bars.length).fill(Number.NaN);
  let windowStart = 0;
  let windowValue = 0;
  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i]!;
    windowValue += bar.volume * bar.close;
    while (bars[windowStart]!.time <= bar.time - DAY_MS) {
      windowValue -= bars[windowStart]!.volume * bars[windowStart]!.close;
      windowStart++;
    }
    volume24h[i] = Math.max(0, windowValue);
    const dayAgo = windowStart > 0 ? bars[windowStart - 1] : undefined;
    if (dayAgo && dayAgo.time === bar.time - DAY_MS) {
      change24hPct[i] = (bar.close / dayAgo.close - 1) * 100;
    }
  }
  return { symbol, bars, volume24h, change24hPct };
}

/**
 * Plays OHLCV files back as ticks (price = close), all symbols on one clock: a bar is due
 * when `(barTime − firstBarTime) / speed` of wall time has passed since the first poll.
 * Looping shifts each pass by the file's span, so replayed ticks stay distinct.
 */
export function createReplayProvider(context: ProviderContext): TickProvider {
  const { spec, source } = context;
  const now = context.now ?? Date.now;
  const replay = spec.replay;
  if (!replay) throw new ProviderError('config', 'spec.replay is required for the replay provider');
  const dataDir = context.dataDir ?? process.cwd();
  let series: Series[] | undefined;
  let origin = 0;
  let span = 0;
  let startedAt = 0;
  const cursor = new Map<string, number>();
  let pass = 0;

  async function load(): Promise<Series[]> {
    const loaded = await Promise.all(
      spec.symbols.map(async (symbol) => {
        const field = `replay.data.${symbol}`;
        const path = replay!.data[symbol];
        if (!path) throw new ProviderError('config', `${field}: names no file`);
        try {
          // Named as the manifest wrote it: the server's directory layout stays out of messages.
          return prepare(symbol, await readOhlcvCsv(await resolveDataFile(dataDir, path), path));
        } catch (err) {
          throw new ProviderError('config', `${field} "${path}": ${(err as Error).message}`);
        }
      }),
    );
    const nonEmpty = loaded.filter((s) => s.bars.length > 0);
    origin = Math.min(...nonEmpty.map((s) => s.bars[0]!.time));
    // A restarted replay with its original times carries each symbol on after what it already
    // published; a symbol without a published tick starts from its first bar.
    if (replay!.align === 'original' && context.lastTicks?.size) {
      for (const s of nonEmpty) {
        const last = context.lastTicks.get(s.symbol);
        if (!last) continue;
        const next = s.bars.findIndex((bar) => bar.time > Date.parse(last.time));
        cursor.set(s.symbol, next === -1 ? s.bars.length : next);
      }
      const pending = nonEmpty.flatMap((s) => s.bars[cursor.get(s.symbol) ?? 0] ?? []);
      if (pending.length > 0) origin = Math.min(...pending.map((bar) => bar.time));
    }
    const end = Math.max(...nonEmpty.map((s) => s.bars.at(-1)!.time));
    const step =
      nonEmpty[0] && nonEmpty[0].bars.length > 1
        ? nonEmpty[0].bars[1]!.time - nonEmpty[0].bars[0]!.time
        : 3_600_000;
    span = end - origin + step;
    startedAt = now();
    return nonEmpty;
  }

  return {
    async poll(): Promise<PollResult> {
      series ??= await load();
      const marketNow = origin + (now() - startedAt) * replay.speed - pass * span;
      const ticks: Tick[] = [];
      let nextDue = Number.POSITIVE_INFINITY;
      let finished = 0;
      for (const s of series) {
        let i = cursor.get(s.symbol) ?? 0;
        while (
          i < s.bars.length &&
          s.bars[i]!.time <= marketNow &&
          ticks.length < MAX_TICKS_PER_POLL
        ) {
          const bar = s.bars[i]!;
          const shift = pass * span;
          const time =
            replay.align === 'now'
              ? startedAt + (bar.time + shift - origin) / replay.speed
              : bar.time + shift;
          const change = s.change24hPct[i]!;
          ticks.push({
            source,
            provider: 'replay',
            symbol: s.symbol,
            quote: spec.quote,
            price: bar.close,
            volume24h: s.volume24h[i]!,
            marketCap: null,
            change24hPct: Number.isNaN(change) ? null : change,
            time: new Date(Math.round(time)).toISOString(),
          });
          i++;
        }
        cursor.set(s.symbol, i);
        if (i < s.bars.length) nextDue = Math.min(nextDue, s.bars[i]!.time);
        else finished++;
      }
      if (finished === series.length) {
        if (!replay.loop) return { ticks, skipped: [], exhausted: true };
        pass++;
        cursor.clear();
        nextDue = origin;
      }
      const wallDue = startedAt + (nextDue + pass * span - origin) / replay.speed;
      return { ticks, skipped: [], nextPollInMs: Math.max(0, wallDue - now()) };
    },
  };
}
