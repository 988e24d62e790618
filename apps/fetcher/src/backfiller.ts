import { jetstreamManager } from '@nats-io/jetstream';
import { decodeTicks, type NatsConnection, type Topology } from '@cryptoviz/bus';
import {
  planBackfill,
  stalestOf,
  ticksAfter,
  type StoredTickTimes,
  type Tick,
  type TickProvider,
} from '@cryptoviz/market';
import { parseResourceKey } from '@cryptoviz/resources';
import type { Logger } from '@cryptoviz/runtime';
import type { FetcherStatus } from './fetcher-status.ts';
import type { HeldOutbox } from './held-outbox.ts';
import type { PollRecord } from './poll-record.ts';

/**
 * Each of these symbols' newest tick as the stream has it: where a restart resumes.
 * Asked for all symbols at once, so a shard of hundreds does not wait out as many round trips.
 */
export async function storedTicks(
  nc: NatsConnection,
  topo: Topology,
  source: string,
  symbols: readonly string[],
): Promise<Map<string, Tick>> {
  const jsm = await jetstreamManager(nc);
  const newest = await Promise.all(
    symbols.map(async (symbol) => {
      const last = await jsm.streams
        .getMessage(topo.streams.ticks, {
          last_by_subj: topo.tickSubject(parseResourceKey(source, 'source'), symbol),
        })
        .catch(() => null);
      // The last message may hold several ticks, in time order: its last one is the newest.
      return last && decodeTicks(topo, last.subject, last.data).ticks.at(-1);
    }),
  );
  return new Map(newest.filter((tick) => !!tick).map((tick) => [tick.symbol, tick]));
}

export const timesBySymbol = (
  symbols: readonly string[],
  timeOf: (symbol: string) => string | null,
): StoredTickTimes => new Map(symbols.map((symbol) => [symbol, timeOf(symbol)]));

export interface BackfillerParts {
  log: Logger;
  source: string;
  intervalMs: number;
  /** spec.backfillHours: the history asked for on a first start. */
  initialHours: number;
  status: FetcherStatus;
  outbox: HeldOutbox;
  record: PollRecord;
  signal: AbortSignal;
}

/** Fills history on a first start, and the gap an outage left, where the provider has candles. */
export class Backfiller {
  constructor(private readonly parts: BackfillerParts) {}

  /**
   * `stored`: each symbol's newest tick already sent (a symbol added to the source has none,
   * and gets the whole history while the others get only their gaps).
   */
  async fillGap(p: TickProvider, stored: StoredTickTimes): Promise<void> {
    const { log, source, status, signal } = this.parts;
    if (!p.backfill) return;
    const plan = planBackfill({
      lastTickTime: stalestOf(stored),
      now: Date.now(),
      pollIntervalMs: this.parts.intervalMs,
      initialHours: this.parts.initialHours,
    });
    if (!plan) return;
    try {
      const result = ticksAfter(await p.backfill(plan.hours, signal), stored);
      await this.parts.outbox.publish(result);
      status.backfills++;
      log.info(
        { source, hours: plan.hours, reason: plan.reason, ticks: result.ticks.length },
        'backfilled',
      );
    } catch (err) {
      // Polls may be fine meanwhile: a failed backfill leaves a gap, not a failing source.
      this.parts.record.recordError(err, 'backfill failed; the gap stays unfilled');
    }
  }
}
