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

/** Drops backfilled ticks the store already has (at or before the plan's `after`). */
export function ticksAfter(result: PollResult, after: string | null): PollResult {
  if (after === null) return result;
  const cutoff = Date.parse(after);
  return { ...result, ticks: result.ticks.filter((tick) => Date.parse(tick.time) > cutoff) };
}
