import { formatIssues, type Provider } from '@cryptoviz/resources';
import { tickSchema, type Tick } from '../../tick.ts';
import type { PollResult, SkippedTick } from '../provider.ts';
import type { Reading } from './schemas.ts';

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
  /** Optional fields ignored for an unexpected type, once per occurrence (see optionalField). */
  ignoredFields?: string[];
}

/** Keeps the note of the optional fields an entry's reading had to ignore. */
export function noteIgnored(parsed: Parsed, reading: Reading<unknown>): void {
  if (reading.ok && reading.ignored) (parsed.ignoredFields ??= []).push(...reading.ignored);
}

export interface TickIdentity {
  source: string;
  provider: Provider;
  quote: string;
}

export function mergeParsed(parts: readonly Parsed[], shape = parts[0]?.shape ?? 'empty'): Parsed {
  return {
    shape,
    candidates: parts.flatMap((part) => part.candidates),
    skipped: parts.flatMap((part) => part.skipped),
    series: parts.some((part) => part.series),
    ignoredFields: parts.flatMap((part) => part.ignoredFields ?? []),
  };
}

/** What a tick can do without: a bad value there costs the value, not the tick. */
const OPTIONAL_TICK_FIELDS = ['volume24h', 'marketCap', 'change24hPct'] as const;

/**
 * Turns candidates into ticks, validating every one with `tickSchema`: anything that fails
 * in what a tick needs (NaN, zero or negative price, a time before 2009 or in the future, a
 * bad symbol) and any repeat of a symbol (or of a symbol and time, in a series) is skipped
 * with its reason; a volume, market cap or change a tick cannot hold is left out and counted.
 */
export function finalizeTicks(parsed: Parsed, identity: TickIdentity): PollResult {
  const ticks: Tick[] = [];
  const skipped: SkippedTick[] = [...parsed.skipped];
  const ignored = [...(parsed.ignoredFields ?? [])];
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
    const tick = {
      source: identity.source,
      provider: identity.provider,
      symbol: candidate.symbol,
      quote: identity.quote,
      price: candidate.price,
      volume24h: candidate.volume24h,
      marketCap: candidate.marketCap,
      change24hPct: candidate.change24hPct,
      time,
    };
    let result = tickSchema.safeParse(tick);
    const bad = OPTIONAL_TICK_FIELDS.filter((field) =>
      result.error?.issues.some((issue) => issue.path[0] === field),
    );
    if (bad.length > 0) {
      // A negative volume or a -100 % change: the price and time may still make a tick.
      const retried = tickSchema.safeParse({ ...tick, ...nulls(bad) });
      if (retried.success) ignored.push(...bad);
      result = retried;
    }
    if (result.success) ticks.push(result.data);
    else
      skipped.push({
        symbol: candidate.symbol,
        reason: `invalid tick: ${formatIssues(result.error)}`,
      });
  }
  return ignored.length > 0
    ? { ticks, skipped, ignoredFields: countOf(ignored) }
    : { ticks, skipped };
}

function nulls(fields: readonly string[]): Record<string, null> {
  return Object.fromEntries(fields.map((field) => [field, null]));
}

function countOf(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
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
