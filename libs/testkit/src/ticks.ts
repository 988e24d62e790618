import type { Tick } from '@cryptoviz/market';

const NAMED = ['BTC', 'ETH', 'SOL', 'ADA'];

/**
 * `count` distinct, valid ticks spread over `symbols` symbols, one second apart per symbol.
 * Free of vitest, so benchmarks and load generators can use it too.
 */
export function sampleTicks(
  count: number,
  source = 'default/test-source',
  startMs = Date.parse('2024-03-01T00:00:00Z'),
  symbols = 4,
): Tick[] {
  const names = Array.from({ length: symbols }, (_, i) => NAMED[i] ?? `SYM${i}`);
  return Array.from({ length: count }, (_, i) => ({
    source,
    provider: 'synthetic' as const,
    symbol: names[i % symbols]!,
    quote: 'USD',
    price: 100 + (i % 97),
    volume24h: 1e6,
    marketCap: null,
    change24hPct: 0.5,
    time: new Date(startMs + Math.floor(i / symbols) * 1000).toISOString(),
  }));
}

/** A tick that carries a price and nothing else: the stuff candle series are built from. */
export function priceTick(
  timeMs: number,
  price: number,
  {
    symbol = 'BTC',
    source = 'default/replay',
    provider = 'replay',
  }: Partial<Pick<Tick, 'symbol' | 'source' | 'provider'>> = {},
): Tick {
  return {
    source,
    provider,
    symbol,
    quote: 'USD',
    price,
    volume24h: null,
    marketCap: null,
    change24hPct: null,
    time: new Date(timeMs).toISOString(),
  };
}
