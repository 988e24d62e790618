import { formatIssues, type Provider } from '@cryptoviz/resources';
import { tickSchema, type Tick } from '../../tick.ts';
import type { PollResult, SkippedTick } from '../provider.ts';

/** A provider's numbers for one symbol, before our schema has had its say. */
export interface TickCandidate {
  /** Our symbol (BTC), already mapped back from the provider's id. */
  symbol: string;
  price: number;
  volume24h: number | null;
  marketCap: number | null;
  change24hPct: number | null;
  /** When the provider observed the price, in epoch milliseconds. */
  timeMs: number;
}

/** What an adapter read out of one or more payloads. */
export interface Parsed {
  /** What the payload was recognised as, e.g. `coins/markets` (for messages and the CLI). */
  shape: string;
  candidates: TickCandidate[];
  skipped: SkippedTick[];
  /** Candles and charts hold many ticks per symbol; snapshots hold one. */
  series?: boolean;
}

export interface TickIdentity {
  source: string;
  provider: Provider;
  quote: string;
}

export function emptyParsed(shape: string): Parsed {
  return { shape, candidates: [], skipped: [] };
}

export function mergeParsed(parts: readonly Parsed[], shape = parts[0]?.shape ?? 'empty'): Parsed {
  return {
    shape,
    candidates: parts.flatMap((part) => part.candidates),
    skipped: parts.flatMap((part) => part.skipped),
    series: parts.some((part) => part.series),
  };
}

/**
 * Turns candidates into ticks, validating every one with `tickSchema`: anything that fails
 * (NaN, zero or negative price, a time before 2009 or in the future, a bad symbol) and any
 * repeat of a symbol (or of a symbol and time, in a series) is skipped with its reason.
 */
export function finalizeTicks(parsed: Parsed, identity: TickIdentity): PollResult {
  const ticks: Tick[] = [];
  const skipped: SkippedTick[] = [...parsed.skipped];
  const seen = new Set<string>();
  for (const candidate of parsed.candidates) {
    const key = parsed.series ? `${candidate.symbol}@${candidate.timeMs}` : candidate.symbol;
    if (seen.has(key)) {
      skipped.push({
        symbol: candidate.symbol,
        reason: 'duplicate in the response; kept the first',
      });
      continue;
    }
    seen.add(key);
    const time = isoTime(candidate.timeMs);
    if (time === undefined) {
      skipped.push({ symbol: candidate.symbol, reason: 'invalid tick: time is not a timestamp' });
      continue;
    }
    const result = tickSchema.safeParse({
      source: identity.source,
      provider: identity.provider,
      symbol: candidate.symbol,
      quote: identity.quote,
      price: candidate.price,
      volume24h: candidate.volume24h,
      marketCap: candidate.marketCap,
      change24hPct: candidate.change24hPct,
      time,
    });
    if (result.success) ticks.push(result.data);
    else
      skipped.push({
        symbol: candidate.symbol,
        reason: `invalid tick: ${formatIssues(result.error)}`,
      });
  }
  return { ticks, skipped };
}

/** Adds a skipped entry for each requested symbol the response said nothing about. */
export function reportMissing(result: PollResult, requested: readonly string[]): PollResult {
  const mentioned = new Set([
    ...result.ticks.map((tick) => tick.symbol),
    ...result.skipped.map((entry) => entry.symbol),
  ]);
  const missing = requested
    .filter((symbol) => !mentioned.has(symbol))
    .map((symbol) => ({ symbol, reason: 'not in the response (unknown to the provider?)' }));
  return missing.length === 0 ? result : { ...result, skipped: [...result.skipped, ...missing] };
}

function isoTime(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
