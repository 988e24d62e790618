import type { PredictionRecord } from '@cryptoviz/forecast';
import type { Tick } from '@cryptoviz/market';
import { resourceInputSchema } from '@cryptoviz/resources';

/** Fixtures name resources as a person would: a bare name is one of `default`. */
const key = (resource: string) => resourceInputSchema.parse(resource);

export function tick(
  source: string,
  symbol: string,
  time: Date,
  price: number,
  quote = 'USD',
): Tick {
  return {
    source: key(source),
    provider: 'synthetic',
    symbol,
    quote,
    price,
    volume24h: 1e6,
    marketCap: null,
    change24hPct: 1.25,
    time: time.toISOString(),
  };
}

/** Hourly BTC ticks from two sources over `hours`, the second 1% above the first. */
export function hourlyTicks(hours: number, endMs: number): Tick[] {
  const ticks: Tick[] = [];
  for (let h = hours; h >= 1; h--) {
    const time = new Date(endMs - h * 3_600_000);
    const price = 30_000 + 10 * h;
    ticks.push(tick('sim', 'BTC', time, price), tick('alt', 'BTC', time, price * 1.01, 'USDT'));
  }
  return ticks;
}

export function prediction(
  model: string,
  madeAt: Date,
  origin: number,
  point: number,
  overrides: Partial<PredictionRecord> = {},
): PredictionRecord {
  const horizonS = overrides.horizonS ?? 3_600;
  return {
    model: key(model),
    algorithm: model === 'naive-model' ? 'naive' : 'ridge',
    source: 'default/sim',
    symbol: 'BTC',
    horizonS,
    madeAt: madeAt.toISOString(),
    targetAt: new Date(madeAt.getTime() + horizonS * 1000).toISOString(),
    originPrice: origin,
    point,
    lower: point * 0.99,
    upper: point * 1.01,
    confidence: 0.8,
    signal: point > origin * 1.002 ? 'BUY' : point < origin * 0.998 ? 'SELL' : 'HOLD',
    ...overrides,
  };
}
