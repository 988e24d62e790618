import type { PollResult } from '../provider.ts';

/** The finest candles any provider offers; a shorter gap has nothing to fill it with. */
const FINEST_CANDLE_MS = 60_000;
export const MAX_BACKFILL_HOURS = 24 * 90;

export interface BackfillPlan {
  /** Pass to `TickProvider.backfill(hours)`. */
  hours: number;
  /** Keep only ticks after this time (the last stored tick); null on a first start. */
  after: string | null;
  reason: 'first-start' | 'outage';
}

export interface GapInput {
  /** The newest tick stored for the source, or null/undefined when it has none. */
  lastTickTime: string | null | undefined;
  now: number;
  /** The source's poll interval: gaps up to two of them are ordinary jitter, not an outage. */
  pollIntervalMs: number;
  /** `spec.backfillHours`: history to load on a first start (0 for none). */
  initialHours: number;
  maxHours?: number;
}

/**
 * Decides what to backfill when a source (re)starts: the configured history on a first
 * start, the whole gap after an outage (capped), or nothing when polls were merely late.
 */
export function planBackfill(input: GapInput): BackfillPlan | null {
  const maxHours = input.maxHours ?? MAX_BACKFILL_HOURS;
  const last = input.lastTickTime ? Date.parse(input.lastTickTime) : Number.NaN;
  if (Number.isNaN(last)) {
    if (input.initialHours <= 0) return null;
    return { hours: Math.min(input.initialHours, maxHours), after: null, reason: 'first-start' };
  }
  const gapMs = input.now - last;
  if (gapMs <= Math.max(2 * input.pollIntervalMs, FINEST_CANDLE_MS)) return null;
  const hours = Math.min(Math.ceil(gapMs / 3_600_000), maxHours);
  return { hours, after: new Date(last).toISOString(), reason: 'outage' };
}

/** Each symbol's newest stored tick time, null for a symbol with none yet. */
export type StoredTickTimes = ReadonlyMap<string, string | null>;

/**
 * Where a source resumes: the newest stored tick of its stalest symbol, or null while any
 * symbol has none (a first start, for that one at least) or nothing is known.
 */
export function stalestOf(stored: StoredTickTimes): string | null {
  let stalest: string | null = null;
  for (const time of stored.values()) {
    if (time === null) return null;
    if (stalest === null || time < stalest) stalest = time;
  }
  return stalest;
}

/**
 * Drops backfilled ticks the store already has: those at or before `after`, one time for
 * every symbol or each symbol's own. A symbol with no stored time keeps all its ticks, so a
 * symbol added to a source gets its whole history while the others get only their gaps.
 */
export function ticksAfter(result: PollResult, after: string | null | StoredTickTimes): PollResult {
  if (after === null) return result;
  const cutoffOf = (symbol: string): number => {
    const time = typeof after === 'string' ? after : after.get(symbol);
    return time ? Date.parse(time) : Number.NEGATIVE_INFINITY;
  };
  return {
    ...result,
    ticks: result.ticks.filter((tick) => Date.parse(tick.time) > cutoffOf(tick.symbol)),
  };
}
