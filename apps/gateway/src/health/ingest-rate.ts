import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { listHeartbeats, type Heartbeat, type Topology } from '@cryptoviz/bus';

interface Sample {
  atMs: number;
  /** Ticks each fetcher has published, by incarnation (worker id and start time). */
  ticks: Map<string, { startedAtMs: number; published: number }>;
  predictions: number;
}

export interface Rates {
  ticksPerSecond: number | null;
  predictionsPerSecond: number | null;
  /** Seconds the rates are averaged over (null until two samples exist). */
  windowS: number | null;
}

/** Where the counts come from: fetchers' heartbeats, and the predictions stream. */
export interface IngestSources {
  heartbeats(): Promise<Heartbeat[]>;
  predictionsLastSeq(): Promise<number>;
}

export function ingestSources(jsm: JetStreamManager, kv: KV, topo: Topology): IngestSources {
  return {
    heartbeats: () => listHeartbeats(kv),
    predictionsLastSeq: async () =>
      (await jsm.streams.info(topo.streams.predictions).catch(() => undefined))?.state.last_seq ??
      0,
  };
}

/**
 * Ticks and forecasts per second entering the pipeline, over a sliding window. Ticks are
 * counted from the fetchers' own `ticksPublished` (a stream message may hold up to 100 of
 * them); forecasts from the predictions stream's last sequence, one per message. Both count
 * every publisher, whichever process or pod it runs in.
 */
export class IngestRate {
  #samples: Sample[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sources: IngestSources,
    private readonly windowMs = 60_000,
  ) {}

  async sample(nowMs = Date.now()): Promise<void> {
    const [beats, predictions] = await Promise.all([
      this.sources.heartbeats().catch(() => []),
      this.sources.predictionsLastSeq().catch(() => 0),
    ]);
    const ticks: Sample['ticks'] = new Map();
    for (const beat of beats) {
      if (beat.role !== 'fetcher') continue;
      ticks.set(`${beat.id}@${beat.startedAt}`, {
        startedAtMs: Date.parse(beat.startedAt),
        published: beat.counters.ticksPublished,
      });
    }
    this.#samples.push({ atMs: nowMs, ticks, predictions });
    while (this.#samples.length > 2 && nowMs - this.#samples[0]!.atMs > this.windowMs) {
      this.#samples.shift();
    }
  }

  rates(): Rates {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.atMs === first.atMs) {
      return { ticksPerSecond: null, predictionsPerSecond: null, windowS: null };
    }
    const seconds = (last.atMs - first.atMs) / 1000;
    let ticks = 0;
    for (const [incarnation, now] of last.ticks) {
      const before = first.ticks.get(incarnation);
      // A fetcher that started within the window published all of its ticks in it; one that
      // was running but not yet seen (its first beat was late) has no baseline: skip it.
      if (before) ticks += now.published - before.published;
      else if (now.startedAtMs >= first.atMs) ticks += now.published;
    }
    return {
      ticksPerSecond: Math.max(0, ticks) / seconds,
      predictionsPerSecond: Math.max(0, last.predictions - first.predictions) / seconds,
      windowS: seconds,
    };
  }

  start(intervalMs = 5_000): void {
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
