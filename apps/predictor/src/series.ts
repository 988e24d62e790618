import {
  Forecaster,
  ScoreAccumulator,
  signalFor,
  type ModelSpec,
  type PredictionRecord,
  type ScoreMetrics,
  type SignalRule,
} from '@cryptoviz/forecast';
import type { RealizedClose } from '@cryptoviz/store';
import type { ClosedBar } from './bars.ts';

export interface SeriesIdentity {
  model: string;
  algorithm: string;
  source: string;
  symbol: string;
}

interface HorizonState {
  horizonMs: number;
  forecaster: Forecaster;
  /** Forecasts waiting for their target bar, by target time. */
  pending: Map<number, { point: number; origin: number }>;
  score: ScoreAccumulator;
}

export interface BarOutcome {
  predictions: PredictionRecord[];
  /** This bar's close realizes every forecast that targeted its time. */
  realized: RealizedClose;
}

/** Trailing forecasts the live accuracy (heartbeat, status) is computed over. */
export const LIVE_SCORE_WINDOW = 500;

/**
 * Closed bars before every horizon forecasts (Forecaster.needed). History loaded at start must
 * cover it, or a worker with a long window forecasts nothing until that many new bars arrive.
 */
export function barsNeeded(model: ModelSpec, barMs: number, horizonsMs: readonly number[]): number {
  return Math.max(...horizonsMs.map((h) => Forecaster.fromSpec(model, h / barMs).needed));
}

/**
 * One model on one source's symbol: every closed bar scores the forecasts that targeted it
 * and makes a new forecast for each horizon (once the model has enough history).
 */
export class SeriesForecaster {
  private readonly horizons: HorizonState[];

  constructor(
    readonly identity: SeriesIdentity,
    model: ModelSpec,
    readonly barMs: number,
    horizonsMs: readonly number[],
    private readonly rule: SignalRule,
  ) {
    this.horizons = horizonsMs.map((horizonMs) => ({
      horizonMs,
      forecaster: Forecaster.fromSpec(model, horizonMs / barMs),
      pending: new Map(),
      score: new ScoreAccumulator(LIVE_SCORE_WINDOW),
    }));
  }

  onBar(bar: ClosedBar): BarOutcome {
    const { model, algorithm, source, symbol } = this.identity;
    const predictions: PredictionRecord[] = [];
    const madeAt = new Date(bar.time).toISOString();
    for (const h of this.horizons) {
      const due = h.pending.get(bar.time);
      if (due) {
        h.score.add(due.point, bar.close, due.origin);
        h.pending.delete(bar.time);
      }
      h.forecaster.push(bar.close);
      const forecast = h.forecaster.forecast();
      if (forecast.kind !== 'forecast') continue;
      const targetTime = bar.time + h.horizonMs;
      h.pending.set(targetTime, { point: forecast.point, origin: forecast.last });
      predictions.push({
        model,
        algorithm,
        source,
        symbol,
        horizonS: h.horizonMs / 1000,
        madeAt,
        targetAt: new Date(targetTime).toISOString(),
        originPrice: forecast.last,
        point: forecast.point,
        lower: forecast.lower,
        upper: forecast.upper,
        confidence: forecast.confidence,
        signal: signalFor(forecast, this.rule),
      });
    }
    return { predictions, realized: { source, symbol, time: madeAt, price: bar.close } };
  }

  /** Live accuracy per horizon (seconds → metrics) over the last LIVE_SCORE_WINDOW forecasts. */
  accuracy(): Record<string, ScoreMetrics> {
    return Object.fromEntries(
      this.horizons.map((h) => [String(h.horizonMs / 1000), h.score.metrics()]),
    );
  }
}
