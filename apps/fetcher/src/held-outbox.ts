import type { JetStreamClient } from '@nats-io/jetstream';
import {
  deadLetter,
  encodeJson,
  publishConfirmed,
  PublishError,
  tickMessages,
  type NatsConnection,
  type OutgoingMessage,
  type PublishOptions,
  type PublishOutcome,
  type Topology,
} from '@cryptoviz/bus';
import type { PollResult } from '@cryptoviz/market';
import type { Logger, Scrubber } from '@cryptoviz/runtime';
import { newestOf, type FetcherStatus } from './fetcher-status.ts';
import type { FetcherMetrics } from './metrics.ts';
import type { IgnoredFields } from './ignored-fields.ts';

/**
 * Ticks a failed publish could not get confirmed are held and sent with the next poll's,
 * up to this many; beyond it (an outage of hours at a high rate) the oldest are dropped
 * and counted, rather than the worker running out of memory.
 */
export const MAX_HELD_TICKS = 100_000;

export interface HeldOutboxParts {
  nc: NatsConnection;
  js: JetStreamClient;
  topo: Topology;
  log: Logger;
  source: string;
  scrub: Scrubber;
  metrics: FetcherMetrics;
  ignoredFields: IgnoredFields;
  /** Where its counts go: published, duplicates, skipped, held, dropped, newest tick time. */
  status: FetcherStatus;
  /** How long a publish waits for JetStream's acks (tests shorten it). */
  publish?: Partial<PublishOptions> | undefined;
}

/**
 * Publishes polled ticks and skip notices to JetStream; what a failed publish could not get
 * confirmed is held and sent first with the next poll's, so a NATS outage loses nothing up
 * to MAX_HELD_TICKS.
 */
export class HeldOutbox {
  /**
   * What a failed publish left to send: the very messages (so a resend has the same msg ids
   * and JetStream drops what did arrive), the newest tick time they hold, and skip notices.
   */
  private held: {
    messages: OutgoingMessage[];
    newest: string | null;
    skipped: PollResult['skipped'];
  } = { messages: [], newest: null, skipped: [] };

  constructor(private readonly parts: HeldOutboxParts) {}

  /** Whether ticks are held: they cover a NATS outage themselves. */
  get holdsTicks(): boolean {
    return this.held.messages.length > 0;
  }

  private heldTicks(): number {
    return this.held.messages.reduce((sum, m) => sum + (m.records ?? 1), 0);
  }

  /** Publishes a poll's ticks and skip notices, after whatever an earlier failed publish held. */
  async publish(result: PollResult): Promise<void> {
    const { topo, log, source, status } = this.parts;
    this.parts.ignoredFields.record(result.ignoredFields);
    const resent = this.heldTicks();
    const held = this.held;
    this.held = {
      messages: [...held.messages, ...tickMessages(topo, result.ticks)],
      newest: newestOf(held.newest, ...result.ticks.map((tick) => tick.time)),
      skipped: [...held.skipped, ...result.skipped],
    };
    try {
      await this.publishHeldMessages();
      while (this.held.skipped.length > 0) {
        await this.deadLetterSkipped(this.held.skipped[0]!);
        this.held.skipped.shift();
      }
      if (resent > 0)
        log.info({ source, ticks: resent }, 'sent the ticks held while NATS was away');
    } catch (err) {
      this.dropOverflow();
      throw err;
    } finally {
      status.heldTicks = this.heldTicks();
    }
  }

  private async publishHeldMessages(): Promise<void> {
    const { nc, status } = this.parts;
    let outcome: PublishOutcome;
    try {
      outcome = await publishConfirmed(nc, this.held.messages, this.parts.publish);
    } catch (err) {
      // Some may have landed: count them now, or their resend would pass for duplicates.
      if (err instanceof PublishError) this.countPublished(err.outcome);
      throw err;
    }
    this.countPublished(outcome);
    status.newestTickTime = newestOf(status.newestTickTime, this.held.newest);
    this.held.messages = [];
    this.held.newest = null;
  }

  private countPublished(outcome: PublishOutcome): void {
    const { status, metrics, source } = this.parts;
    status.ticksPublished += outcome.published;
    status.duplicates += outcome.duplicates;
    metrics.ticks.inc({ source, outcome: 'published' }, outcome.published);
    metrics.ticks.inc({ source, outcome: 'duplicate' }, outcome.duplicates);
  }

  private async deadLetterSkipped(skipped: PollResult['skipped'][number]): Promise<void> {
    const { js, topo, scrub, source, status, metrics } = this.parts;
    await deadLetter(js, topo, {
      origin: 'fetcher',
      reason: scrub(skipped.reason),
      data: encodeJson({ source, symbol: skipped.symbol ?? null }),
    });
    status.skipped++;
    metrics.ticks.inc({ source, outcome: 'skipped' });
  }

  /** Past MAX_HELD_TICKS the oldest messages go, counted, rather than the worker's memory. */
  private dropOverflow(): void {
    const { status, metrics, source, log } = this.parts;
    let dropped = 0;
    let total = this.heldTicks();
    while (this.held.messages.length > 1 && total > MAX_HELD_TICKS) {
      const records = this.held.messages.shift()!.records ?? 1;
      dropped += records;
      total -= records;
    }
    if (dropped > 0) {
      status.droppedTicks += dropped;
      metrics.ticks.inc({ source, outcome: 'dropped' }, dropped);
      log.error({ source, dropped }, 'too many ticks held while NATS is away');
    }
    this.held.skipped = this.held.skipped.slice(-1_000);
  }
}
