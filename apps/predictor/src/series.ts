import {
  dieboldMariano,
  Forecaster,
  ScoreAccumulator,
  signalFor,
  type DieboldMariano,
  type ForecasterOptions,
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
    forecasterOptions: ForecasterOptions = {},
  ) {
    this.horizons = horizonsMs.map((horizonMs) => ({
      horizonMs,
      forecaster: Forecaster.fromSpec(model, horizonMs / barMs, forecasterOptions),
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
      // Bar numbers on the epoch clock: a restarted worker's schedules fall on the same bars.
      h.forecaster.push(bar.close, bar.time / this.barMs);
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

  /**
   * Diebold–Mariano test of each horizon's skill against naive, over the same pairs as
   * `accuracy`. A forecast is made every bar, so an h-bar horizon's targets overlap the next
   * h − 1 forecasts'.
   */
  significance(): Record<string, DieboldMariano> {
    return Object.fromEntries(
      this.horizons.map((h) => {
        const { model, naive } = h.score.lossPairs();
        const steps = Math.max(1, Math.round(h.horizonMs / this.barMs));
        return [String(h.horizonMs / 1000), dieboldMariano(model, naive, steps)];
      }),
    );
  }
}
