import { parseDuration } from '@cryptoviz/resources';
import type { Tick } from '../tick.ts';
import type { PollResult, ProviderContext, TickProvider } from './provider.ts';

/** Realistic starting points: price in USD, annualized volatility, circulating supply. */
const PROFILES: Record<string, { price: number; volatility: number; supply: number }> = {
  BTC: { price: 65_000, volatility: 0.55, supply: 19.7e6 },
  ETH: { price: 3_400, volatility: 0.7, supply: 120e6 },
  SOL: { price: 150, volatility: 0.95, supply: 460e6 },
  BNB: { price: 580, volatility: 0.6, supply: 146e6 },
  XRP: { price: 0.55, volatility: 0.85, supply: 56e9 },
  ADA: { price: 0.45, volatility: 0.85, supply: 35e9 },
  DOGE: { price: 0.15, volatility: 1.0, supply: 145e9 },
  LTC: { price: 80, volatility: 0.75, supply: 75e6 },
  DOT: { price: 7, volatility: 0.85, supply: 1.4e9 },
  AVAX: { price: 35, volatility: 0.95, supply: 390e6 },
  LINK: { price: 15, volatility: 0.85, supply: 590e6 },
  USDT: { price: 1, volatility: 0.01, supply: 110e9 },
};

const YEAR_MS = 365.25 * 86_400_000;
const DAY_MS = 86_400_000;
const MAX_STEPS_PER_POLL = 10_000;
/** History comes four ticks a minute (however fine the live ticks): real 1-minute candles. */
const HISTORY_STEP_MS = 15_000;

/** FNV-1a: a stable 32-bit hash, so a symbol's stream depends only on the seed and its name. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, and good enough for simulated prices. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function gaussian(random: () => number): number {
  const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function profile(symbol: string) {
  const known = PROFILES[symbol];
  if (known) return known;
  // Unknown symbols still get a plausible, stable profile.
  const h = hash(symbol);
  return { price: 0.1 + (h % 10_000) / 100, volatility: 0.6 + (h % 60) / 100, supply: 1e9 };
}

/** One GBM step without drift: the log-return over `dtYears` (−σ²dt/2 + σ√dt·z). */
function logReturn(random: () => number, sigma: number, dtYears: number): number {
  return -0.5 * sigma * sigma * dtYears + sigma * Math.sqrt(dtYears) * gaussian(random);
}

/** A simulated 24h volume around 3 % of the market cap. */
function volume24h(price: number, supply: number, noise: number): number {
  return price * supply * 0.03 * Math.exp(0.25 * noise);
}

class SymbolPath {
  private readonly random: () => number;
  private readonly hourlyCloses: { time: number; price: number }[] = [];
  readonly volatility: number;
  readonly supply: number;
  price: number;

  constructor(
    private readonly seed: number,
    private readonly symbol: string,
    /** Where the walk starts: the profile's price, or where a previous run left it. */
    private readonly startPrice = profile(symbol).price,
  ) {
    this.random = mulberry32(hash(`${seed}:${symbol}`));
    const p = profile(symbol);
    this.price = startPrice;
    this.volatility = p.volatility;
    this.supply = p.supply;
  }

  /** One geometric Brownian motion step without drift: log-returns ~ N(−σ²dt/2, σ²dt). */
  step(
    time: number,
    dtYears: number,
  ): { price: number; change24hPct: number | null; noise: number } {
    this.price *= Math.exp(logReturn(this.random, this.volatility, dtYears));
    const noise = gaussian(this.random);
    const hour = this.remember(time, this.price);
    const dayAgo = this.hourlyCloses.find((c) => c.time === hour - DAY_MS);
    return {
      price: this.price,
      change24hPct: dayAgo ? (this.price / dayAgo.price - 1) * 100 : null,
      noise,
    };
  }

  /** Keeps the first price of each of the last 25 hours, for the 24 h change; returns the hour. */
  remember(time: number, price: number): number {
    const hour = Math.floor(time / 3_600_000) * 3_600_000;
    if (this.hourlyCloses.at(-1)?.time !== hour) this.hourlyCloses.push({ time: hour, price });
    while (this.hourlyCloses.length > 25) this.hourlyCloses.shift();
    return hour;
  }

  /**
   * The `count` prices before the path's start, `stepMs` apart, oldest first: the same walk
   * taken backwards from the starting price, with a random stream of its own so that the live
   * path stays what it would be without history.
   */
  history(
    start: number,
    count: number,
    stepMs: number,
  ): { time: number; price: number; noise: number }[] {
    const random = mulberry32(hash(`${this.seed}:${this.symbol}:history`));
    const dtYears = stepMs / YEAR_MS;
    const points: { time: number; price: number; noise: number }[] = [];
    let price = this.startPrice;
    for (let i = 1; i <= count; i++) {
      price /= Math.exp(logReturn(random, this.volatility, dtYears));
      points.push({ time: start - i * stepMs, price, noise: gaussian(random) });
    }
    return points.reverse();
  }
}

/**
 * Bends a walk taken backwards from `start` so that, after `time`, it leaves from `price` (where
 * an earlier run left the market) and still arrives where the live path starts: the gap a
 * restart leaves is filled by a market that went on from where it was.
 */
function bridgeFrom(
  points: { time: number; price: number }[],
  time: number,
  price: number,
  start: number,
): void {
  const first = points.find((point) => point.time > time);
  if (!first) return;
  const offset = Math.log(price / first.price);
  for (const point of points) {
    if (point.time >= first.time) {
      point.price *= Math.exp((offset * (start - point.time)) / (start - first.time));
    }
  }
}

/**
 * Deterministic simulated market: with the same seed, start time and interval, two runs
 * give the same ticks. Steps are emitted as wall-clock time reaches them.
 */
export function createSyntheticProvider(context: ProviderContext): TickProvider {
  const { spec, source } = context;
  const now = context.now ?? Date.now;
  const intervalMs = parseDuration(spec.interval);
  const seed = spec.synthetic?.seed ?? 1;
  const start = spec.synthetic?.start
    ? Date.parse(spec.synthetic.start)
    : Math.floor(now() / intervalMs) * intervalMs;
  const dtYears = intervalMs / YEAR_MS;
  const paths = spec.symbols.map((symbol) => {
    const last = context.lastTicks?.get(symbol);
    return { symbol, last, path: new SymbolPath(seed, symbol, last?.price) };
  });
  let nextStep = 0;

  return {
    async poll(): Promise<PollResult> {
      const due = Math.floor((now() - start) / intervalMs);
      const ticks: Tick[] = [];
      for (let steps = 0; nextStep <= due && steps < MAX_STEPS_PER_POLL; steps++, nextStep++) {
        const time = start + nextStep * intervalMs;
        for (const { symbol, path } of paths) {
          const { price, change24hPct, noise } = path.step(time, dtYears);
          ticks.push({
            source,
            provider: 'synthetic',
            symbol,
            quote: spec.quote,
            price,
            volume24h: volume24h(price, path.supply, noise),
            marketCap: price * path.supply,
            change24hPct,
            time: new Date(time).toISOString(),
          });
        }
      }
      const nextAt = start + nextStep * intervalMs;
      return { ticks, skipped: [], nextPollInMs: Math.max(0, nextAt - now()) };
    },

    /**
     * The `hours` before the simulation's start, four ticks a minute (or one per interval, if
     * longer), so that forecasts, candles, sparklines and the 24 h change have a past at once,
     * as with a real market.
     */
    async backfill(hours: number): Promise<PollResult> {
      const stepMs = Math.max(intervalMs, HISTORY_STEP_MS);
      const count = Math.floor((hours * 3_600_000) / stepMs);
      const ticks: Tick[] = [];
      for (const { symbol, path, last } of paths) {
        const points = path.history(start, count, stepMs);
        if (last) bridgeFrom(points, Date.parse(last.time), last.price, start);
        for (const [i, point] of points.entries()) {
          path.remember(point.time, point.price);
          const dayAgo = points[i - DAY_MS / stepMs];
          ticks.push({
            source,
            provider: 'synthetic',
            symbol,
            quote: spec.quote,
            price: point.price,
            volume24h: volume24h(point.price, path.supply, point.noise),
            marketCap: point.price * path.supply,
            change24hPct: dayAgo ? (point.price / dayAgo.price - 1) * 100 : null,
            time: new Date(point.time).toISOString(),
          });
        }
      }
      return { ticks, skipped: [] };
    },
  };
}
