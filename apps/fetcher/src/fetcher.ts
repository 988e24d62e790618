import { setTimeout as delay } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  deadLetter,
  encodeJson,
  decodeTicks,
  publishConfirmed,
  PublishError,
  tickMessages,
  type NatsConnection,
  type OutgoingMessage,
  type PublishOptions,
  type PublishOutcome,
  type Topology,
} from '@cryptoviz/bus';
import {
  createProvider,
  hasStats,
  planBackfill,
  ProviderError,
  stalestOf,
  ticksAfter,
  type StoredTickTimes,
  type ProviderStats,
  type PollResult,
  type Tick,
  type ProviderErrorKind,
  type TickProvider,
} from '@cryptoviz/market';
import { parseDuration, parseResourceKey, type CryptoSourceSpec } from '@cryptoviz/resources';
import {
  Counter,
  createScrubber,
  Gauge,
  Histogram,
  type Logger,
  type Registry,
} from '@cryptoviz/runtime';
import { shardSymbols } from '@cryptoviz/workloads';
import { IgnoredFields } from './ignored-fields.ts';

export interface FetcherOptions {
  nc: NatsConnection;
  topo: Topology;
  log: Logger;
  registry: Registry;
  /** The CryptoSource name. */
  /** The CryptoSource's key, `namespace/name`: ticks' `source`, subjects, metric labels. */
  source: string;
  spec: CryptoSourceSpec;
  apiKey?: string;
  /** Where replay files are (CRYPTOVIZ_DATA_DIR); unset, the working directory. */
  dataDir?: string;
  /** This worker's share of the source's symbols. */
  shard: { index: number; count: number };
  /** Injected by tests; the real provider comes from the registry. */
  provider?: TickProvider;
  /** How long a publish waits for JetStream's acks (tests shorten it). */
  publish?: Partial<PublishOptions>;
}

/**
 * Ticks a failed publish could not get confirmed are held and sent with the next poll's,
 * up to this many; beyond it (an outage of hours at a high rate) the oldest are dropped
 * and counted, rather than the worker running out of memory.
 */
export const MAX_HELD_TICKS = 100_000;

/** What a CryptoSource status needs to know about this worker. Never holds the key. */
export interface FetcherStatus {
  symbols: string[];
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  lastErrorKind: ProviderErrorKind | null;
  /** For logs and authenticated callers: may quote the provider (scrubbed). */
  lastErrorMessage: string | null;
  /** For everyone: the error without the provider's words (see ProviderError.summary). */
  lastErrorSummary: string | null;
  ticksPublished: number;
  duplicates: number;
  skipped: number;
  polls: number;
  exhausted: boolean;
  /** Newest tick time published (or found in the stream at start). */
  newestTickTime: string | null;
  backfills: number;
  /** Ticks polled but not yet confirmed by JetStream (NATS away): sent with the next poll. */
  heldTicks: number;
  /** Ticks dropped because more than MAX_HELD_TICKS were held. */
  droppedTicks: number;
  /** Optional provider fields ignored for an unexpected type or value (ticks kept), by field. */
  ignoredFields: Record<string, number>;
  /** The HTTP client's own view: requests, retries, rate-limit waits, circuit breaker. */
  provider?: ProviderStats;
}

export interface Fetcher {
  status(): FetcherStatus;
  isReady(): boolean;
  stop(): Promise<void>;
}

function fetcherMetrics(registry: Registry) {
  return {
    ticks: new Counter({
      name: 'cryptoviz_fetcher_ticks_total',
      help: 'Ticks handled by outcome (published, duplicate, skipped, dropped)',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'cryptoviz_fetcher_poll_errors_total',
      help: 'Failed polls and backfills by error kind',
      labelNames: ['source', 'kind'],
      registers: [registry],
    }),
    pollSeconds: new Histogram({
      name: 'cryptoviz_fetcher_poll_seconds',
      help: 'Time for one poll cycle: provider call and publish',
      labelNames: ['source'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    ignoredFields: new Counter({
      name: 'cryptoviz_fetcher_ignored_fields_total',
      help: 'Optional provider fields ignored for an unexpected type or value; the ticks were kept',
      labelNames: ['source', 'provider', 'field'],
      registers: [registry],
    }),
    lastSuccess: new Gauge({
      name: 'cryptoviz_fetcher_last_success_timestamp_seconds',
      help: 'When the last poll succeeded',
      labelNames: ['source'],
      registers: [registry],
    }),
  };
}

/** The latest of some ISO times (they sort as strings), null if none. */
function newestOf(...times: (string | null)[]): string | null {
  let newest: string | null = null;
  for (const time of times) if (time && (!newest || time > newest)) newest = time;
  return newest;
}

/** Polls a provider on the source's interval and publishes what it gets to TICKS. */
export function startFetcher(options: FetcherOptions): Fetcher {
  const { nc, topo, log, source, apiKey } = options;
  // Defence in depth: whatever a provider put in a message, the key does not leave here.
  const scrub = createScrubber([apiKey]);
  const js = jetstream(nc);
  const metrics = fetcherMetrics(options.registry);
  const symbols = shardSymbols(options.spec.symbols, options.shard.index, options.shard.count);
  const spec = { ...options.spec, symbols };
  const intervalMs = parseDuration(spec.interval);
  const ignoredFields = new IgnoredFields(
    { source, provider: spec.provider },
    metrics.ignoredFields,
    log,
  );
  const status: FetcherStatus = {
    symbols,
    lastSuccessAt: null,
    consecutiveFailures: 0,
    lastErrorKind: null,
    lastErrorMessage: null,
    lastErrorSummary: null,
    ticksPublished: 0,
    duplicates: 0,
    skipped: 0,
    polls: 0,
    exhausted: false,
    newestTickTime: null,
    backfills: 0,
    heldTicks: 0,
    droppedTicks: 0,
    ignoredFields: ignoredFields.totals,
  };
  /**
   * What a failed publish left to send: the very messages (so a resend has the same msg ids
   * and JetStream drops what did arrive), the newest tick time they hold, and skip notices.
   */
  let held: { messages: OutgoingMessage[]; newest: string | null; skipped: PollResult['skipped'] } =
    { messages: [], newest: null, skipped: [] };
  let provider: TickProvider | undefined;
  const abort = new AbortController();
  const heldTicks = () => held.messages.reduce((sum, m) => sum + (m.records ?? 1), 0);

  /** Publishes a poll's ticks and skip notices, after whatever an earlier failed publish held. */
  async function publish(result: PollResult): Promise<void> {
    ignoredFields.record(result.ignoredFields);
    const resent = heldTicks();
    held = {
      messages: [...held.messages, ...tickMessages(topo, result.ticks)],
      newest: newestOf(held.newest, ...result.ticks.map((tick) => tick.time)),
      skipped: [...held.skipped, ...result.skipped],
    };
    try {
      await publishHeldMessages();
      while (held.skipped.length > 0) {
        await deadLetterSkipped(held.skipped[0]!);
        held.skipped.shift();
      }
      if (resent > 0)
        log.info({ source, ticks: resent }, 'sent the ticks held while NATS was away');
    } catch (err) {
      dropOverflow();
      throw err;
    } finally {
      status.heldTicks = heldTicks();
    }
  }

  async function publishHeldMessages(): Promise<void> {
    let outcome: PublishOutcome;
    try {
      outcome = await publishConfirmed(nc, held.messages, options.publish);
    } catch (err) {
      // Some may have landed: count them now, or their resend would pass for duplicates.
      if (err instanceof PublishError) countPublished(err.outcome);
      throw err;
    }
    countPublished(outcome);
    status.newestTickTime = newestOf(status.newestTickTime, held.newest);
    held.messages = [];
    held.newest = null;
  }

  function countPublished(outcome: PublishOutcome): void {
    status.ticksPublished += outcome.published;
    status.duplicates += outcome.duplicates;
    metrics.ticks.inc({ source, outcome: 'published' }, outcome.published);
    metrics.ticks.inc({ source, outcome: 'duplicate' }, outcome.duplicates);
  }

  async function deadLetterSkipped(skipped: PollResult['skipped'][number]): Promise<void> {
    await deadLetter(js, topo, {
      origin: 'fetcher',
      reason: scrub(skipped.reason),
      data: encodeJson({ source, symbol: skipped.symbol ?? null }),
    });
    status.skipped++;
    metrics.ticks.inc({ source, outcome: 'skipped' });
  }

  /** Past MAX_HELD_TICKS the oldest messages go, counted, rather than the worker's memory. */
  function dropOverflow(): void {
    let dropped = 0;
    let total = heldTicks();
    while (held.messages.length > 1 && total > MAX_HELD_TICKS) {
      const records = held.messages.shift()!.records ?? 1;
      dropped += records;
      total -= records;
    }
    if (dropped > 0) {
      status.droppedTicks += dropped;
      metrics.ticks.inc({ source, outcome: 'dropped' }, dropped);
      log.error({ source, dropped }, 'too many ticks held while NATS is away');
    }
    held.skipped = held.skipped.slice(-1_000);
  }

  /** Records an error as the last one seen; only a failed poll counts as a failure. */
  function recordError(err: unknown, what: string): void {
    const kind: ProviderErrorKind = err instanceof ProviderError ? err.kind : 'transient';
    const message = scrub(err instanceof Error ? err.message : String(err));
    status.lastErrorKind = kind;
    status.lastErrorMessage = message;
    // Errors that are not the provider's (NATS, config) carry no provider words.
    status.lastErrorSummary = err instanceof ProviderError ? scrub(err.summary) : message;
    metrics.errors.inc({ source, kind });
    log.warn({ source, kind, err: message, failures: status.consecutiveFailures }, what);
  }

  function recordFailure(err: unknown): number {
    status.consecutiveFailures++;
    recordError(err, 'poll failed');
    const hint = err instanceof ProviderError ? (err.retryAfterMs ?? 0) : 0;
    // Back off on repeated failures so a dead provider is not hammered.
    const backoff = Math.min(
      intervalMs * 2 ** Math.min(status.consecutiveFailures - 1, 5),
      10 * 60_000,
    );
    return Math.max(hint, backoff);
  }

  function recordSuccess(): void {
    status.lastSuccessAt = new Date().toISOString();
    status.consecutiveFailures = 0;
    metrics.lastSuccess.set({ source }, Date.now() / 1000);
  }

  /** Waits between polls; resolves at once when asked to stop, even if that was earlier. */
  const sleep = (ms: number) =>
    delay(ms, undefined, { signal: abort.signal }).catch(() => undefined);

  /**
   * Each of this shard's symbols' newest tick as the stream has it: where a restart resumes.
   * Asked for all symbols at once, so a shard of hundreds does not wait out as many round trips.
   */
  async function storedTicks(): Promise<Map<string, Tick>> {
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

  const timesBySymbol = (timeOf: (symbol: string) => string | null): StoredTickTimes =>
    new Map(symbols.map((symbol) => [symbol, timeOf(symbol)]));

  /**
   * History on a first start, or the gap an outage left, where the provider has candles.
   * `stored`: each symbol's newest tick already sent (a symbol added to the source has none,
   * and gets the whole history while the others get only their gaps).
   */
  async function fillGap(p: TickProvider, stored: StoredTickTimes): Promise<void> {
    if (!p.backfill) return;
    const plan = planBackfill({
      lastTickTime: stalestOf(stored),
      now: Date.now(),
      pollIntervalMs: intervalMs,
      initialHours: spec.backfillHours,
    });
    if (!plan) return;
    try {
      const result = ticksAfter(await p.backfill(plan.hours, abort.signal), stored);
      await publish(result);
      status.backfills++;
      log.info(
        { source, hours: plan.hours, reason: plan.reason, ticks: result.ticks.length },
        'backfilled',
      );
    } catch (err) {
      // Polls may be fine meanwhile: a failed backfill leaves a gap, not a failing source.
      recordError(err, 'backfill failed; the gap stays unfilled');
    }
  }

  const loop = (async () => {
    const lastTicks = await storedTicks().catch(() => new Map<string, Tick>());
    try {
      provider =
        options.provider ??
        createProvider({
          source,
          spec,
          ...(apiKey ? { apiKey } : {}),
          ...(options.dataDir ? { dataDir: options.dataDir } : {}),
          lastTicks,
          // The source's limits are shared by all its shards.
          rateShare: 1 / options.shard.count,
        });
    } catch (err) {
      recordFailure(err);
      return;
    }
    await fillGap(
      provider,
      timesBySymbol((symbol) => lastTicks.get(symbol)?.time ?? null),
    );
    while (!abort.signal.aborted) {
      const started = performance.now();
      let waitMs = intervalMs;
      try {
        const result = await provider.poll(abort.signal);
        const recovering = status.consecutiveFailures > 0;
        status.polls++;
        recordSuccess();
        // Held ticks cover a NATS outage themselves; a gap is only what the provider missed.
        if (recovering && held.messages.length === 0)
          await fillGap(
            provider,
            timesBySymbol(() => status.newestTickTime),
          );
        await publish(result);
        if (result.exhausted) {
          status.exhausted = true;
          log.info({ source }, 'provider has no more data; idling');
          return;
        }
        waitMs = result.nextPollInMs ?? intervalMs;
      } catch (err) {
        if (abort.signal.aborted) return;
        waitMs = recordFailure(err);
      } finally {
        metrics.pollSeconds.observe({ source }, (performance.now() - started) / 1000);
      }
      await sleep(waitMs);
    }
  })();

  return {
    status: () => ({
      ...status,
      ...(provider && hasStats(provider) ? { provider: provider.stats() } : {}),
    }),
    isReady: () => !nc.isClosed(),
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
