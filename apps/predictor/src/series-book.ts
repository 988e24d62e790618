import type {
  DieboldMariano,
  ForecasterOptions,
  PredictionRecord,
  ScoreMetrics,
} from '@cryptoviz/forecast';
import {
  parseDuration,
  parseResourceKey,
  resourceKey,
  type PredictionModelSpec,
} from '@cryptoviz/resources';
import { toModelSpec } from '@cryptoviz/resources/warm-up';
import type { RealizedClose } from '@cryptoviz/store';
import { BarBuilder, type ClosedBar } from './bars.ts';
import type { PredictorMetrics } from './metrics.ts';
import { SeriesForecaster } from './series.ts';

export interface Series {
  bars: BarBuilder;
  forecaster: SeriesForecaster;
}

export interface Forecasts {
  predictions: PredictionRecord[];
  realized: RealizedClose[];
}

/** How status and logs name a series: `source/symbol`. */
export const seriesKey = (source: string, symbol: string) => `${source}/${symbol}`;

/** A worker's series, one per (source, symbol) it serves, each with its bars and forecaster. */
export class SeriesBook {
  readonly barMs: number;
  /** The model's namespace, where the sources it reads are. */
  readonly namespace: string;
  private readonly series = new Map<string, Series>();
  private readonly horizonsMs: number[];
  /** Source keys the model reads; its `spec.sources` name sources of its own namespace. */
  private readonly sources: Set<string>;
  private readonly namespacePrefix: string;

  constructor(
    private readonly model: string,
    private readonly spec: PredictionModelSpec,
    private readonly symbols: readonly string[],
    private readonly skill: PredictorMetrics['skill'],
    private readonly forecasterOptions: ForecasterOptions = {},
  ) {
    this.barMs = parseDuration(spec.interval);
    this.horizonsMs = spec.horizons.map(parseDuration);
    const { namespace } = parseResourceKey(model, 'model');
    this.namespace = namespace;
    this.namespacePrefix = `${namespace}/`;
    this.sources = new Set(spec.sources.map((name) => resourceKey({ namespace, name })));
  }

  get size(): number {
    return this.series.size;
  }

  /**
   * Whether this worker serves the series: its shard's symbols, from the model's sources, or
   * from every source of the model's namespace when it names none (references stay in it).
   * Following subscribes to the model's namespace only; stored ticks (the catch-up's) are of
   * every namespace, hence the check here too.
   */
  wants(source: string, symbol: string): boolean {
    if (!this.symbols.includes(symbol)) return false;
    return this.sources.size === 0
      ? source.startsWith(this.namespacePrefix)
      : this.sources.has(source);
  }

  get(source: string, symbol: string): Series {
    const key = seriesKey(source, symbol);
    let entry = this.series.get(key);
    if (!entry) {
      entry = {
        bars: new BarBuilder(this.barMs),
        forecaster: new SeriesForecaster(
          { model: this.model, algorithm: this.spec.algorithm, source, symbol },
          toModelSpec(this.spec),
          this.barMs,
          this.horizonsMs,
          this.spec.signal,
          this.forecasterOptions,
        ),
      };
      this.series.set(key, entry);
    }
    return entry;
  }

  /**
   * Feeds closed bars to the series' forecaster. Those closing before `recordFrom` only warm
   * the model; the others' forecasts and realized closes are returned, to be persisted.
   */
  forecast(entry: Series, closed: readonly ClosedBar[], recordFrom = -Infinity): Forecasts {
    const predictions: PredictionRecord[] = [];
    const realized: RealizedClose[] = [];
    for (const bar of closed) {
      const outcome = entry.forecaster.onBar(bar);
      if (bar.time < recordFrom) continue;
      predictions.push(...outcome.predictions);
      realized.push(outcome.realized);
    }
    const { source, symbol } = entry.forecaster.identity;
    for (const [horizon, m] of Object.entries(entry.forecaster.accuracy())) {
      if (m.skill !== null) {
        this.skill.set({ model: this.model, source, symbol, horizon_s: horizon }, m.skill);
      }
    }
    return { predictions, realized };
  }

  /** `source/symbol` → horizon seconds → live metrics. */
  accuracy(): Record<string, Record<string, ScoreMetrics>> {
    return Object.fromEntries(
      [...this.series].map(([name, entry]) => [name, entry.forecaster.accuracy()]),
    );
  }

  /** Every series' and horizon's significance test, in no particular order. */
  significance(): DieboldMariano[] {
    return [...this.series.values()].flatMap((entry) =>
      Object.values(entry.forecaster.significance()),
    );
  }
}
