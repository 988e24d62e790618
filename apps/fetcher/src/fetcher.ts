import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection, PublishOptions, Topology } from '@cryptoviz/bus';
import { createProvider, hasStats, type Tick, type TickProvider } from '@cryptoviz/market';
import { parseDuration, type CryptoSourceSpec } from '@cryptoviz/resources';
import { createScrubber, type Logger, type Registry } from '@cryptoviz/runtime';
import { shardSymbols } from '@cryptoviz/workloads';
import { Backfiller, storedTicks, timesBySymbol } from './backfiller.ts';
import { initialFetcherStatus, type FetcherStatus } from './fetcher-status.ts';
import { HeldOutbox } from './held-outbox.ts';
import { IgnoredFields } from './ignored-fields.ts';
import { fetcherMetrics } from './metrics.ts';
import { pollLoop } from './poll-loop.ts';
import { PollRecord } from './poll-record.ts';

export interface FetcherOptions {
  nc: NatsConnection;
  topo: Topology;
  log: Logger;
  registry: Registry;
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

export interface Fetcher {
  status(): FetcherStatus;
  isReady(): boolean;
  stop(): Promise<void>;
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
  const status = initialFetcherStatus(symbols, ignoredFields.totals);
  let provider: TickProvider | undefined;
  const abort = new AbortController();
  const record = new PollRecord({ log, source, scrub, metrics, status, intervalMs });
  const outbox = new HeldOutbox({
    nc,
    js,
    topo,
    log,
    source,
    scrub,
    metrics,
    ignoredFields,
    status,
    publish: options.publish,
  });
  const backfiller = new Backfiller({
    log,
    source,
    intervalMs,
    initialHours: spec.backfillHours,
    status,
    outbox,
    record,
    signal: abort.signal,
  });

  const loop = (async () => {
    const lastTicks = await storedTicks(nc, topo, source, symbols).catch(
      () => new Map<string, Tick>(),
    );
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
      record.recordFailure(err);
      return;
    }
    await backfiller.fillGap(
      provider,
      timesBySymbol(symbols, (symbol) => lastTicks.get(symbol)?.time ?? null),
    );
    await pollLoop({
      provider,
      log,
      source,
      symbols,
      intervalMs,
      status,
      metrics,
      outbox,
      backfiller,
      record,
      signal: abort.signal,
    });
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
