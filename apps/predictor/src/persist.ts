import type pg from 'pg';
import {
  encodeJson,
  publishConfirmed,
  type NatsConnection,
  type PublishOutcome,
  type Topology,
} from '@cryptoviz/bus';
import { predictionId, type PredictionRecord } from '@cryptoviz/forecast';
import { parseResourceKey } from '@cryptoviz/resources';
import {
  insertNewPredictions,
  markPredictionsPublished,
  scorePredictions,
  unpublishedPredictions,
  type RealizedClose,
} from '@cryptoviz/store';
import type { DatabaseRetry } from './database-retry.ts';
import type { PredictorMetrics } from './metrics.ts';

/** Which step of persisting a batch failed, so the log says what did and did not happen. */
class PersistError extends Error {
  constructor(
    readonly step: 'store' | 'score' | 'publish',
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

const PERSIST_FAILURE: Record<PersistError['step'], string> = {
  store: 'could not store forecasts (so this batch was neither scored nor published)',
  score: 'could not score realized forecasts (new forecasts are stored but were not published)',
  publish:
    'could not publish forecasts (they are stored and scored, and published with the next batch)',
};

export const persistFailure = (err: unknown) =>
  err instanceof PersistError ? PERSIST_FAILURE[err.step] : 'could not persist forecasts';

/** Runs one step of persisting, tagging its failure with the step. */
async function step<T>(name: PersistError['step'], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new PersistError(name, err);
  }
}

export interface PersisterOptions {
  pool: pg.Pool;
  nc: NatsConnection;
  topo: Topology;
  model: string;
  /** This worker's symbols: the forecasts it publishes. */
  symbols: readonly string[];
  metrics: PredictorMetrics;
  withDatabase: DatabaseRetry;
}

/** Stored-but-unpublished forecasts read at a time. */
const UNPUBLISHED_PAGE = 2_000;

/** Stores, scores and publishes a model's forecasts, and keeps the facts its status reports. */
export class Persister {
  predictionsPublished = 0;
  scored = 0;
  lastPredictionAt: string | null = null;
  /** When forecasts new to the database were last stored, by the clock. */
  lastStoredAt: string | null = null;
  /**
   * Whether stored forecasts may await publishing: at start (a predecessor may have been
   * killed between storing and publishing) and after a failed publish.
   */
  private unpublishedLeft = true;

  constructor(private readonly options: PersisterOptions) {}

  async persist(predictions: PredictionRecord[], realized: RealizedClose[]): Promise<void> {
    const { pool, model, metrics, withDatabase } = this.options;
    // The database first (retried until it answers): stored and scored, a forecast survives a
    // NATS outage that only costs live viewers their update.
    const fresh = await step('store', () =>
      withDatabase(() => insertNewPredictions(pool, predictions)),
    );
    const scored = await step('score', () =>
      withDatabase(() => scorePredictions(pool, model, realized)),
    );
    this.scored += scored;
    metrics.scored.inc({ model }, scored);
    // Only forecasts stored just now, and any stored earlier whose publication was never
    // confirmed: re-forecasts of published bars (every start re-forecasts its last one) are
    // not news, and JetStream would not drop them as duplicates once its 2-minute window has
    // passed.
    await step('publish', () =>
      this.unpublishedLeft ? this.publishUnpublished() : this.publish(fresh),
    );
    // Reported once stored, scored and published, so a reader of the status can rely on it.
    for (const p of predictions) {
      if (this.lastPredictionAt === null || p.madeAt > this.lastPredictionAt) {
        this.lastPredictionAt = p.madeAt;
      }
    }
    if (fresh.length > 0) this.lastStoredAt = new Date().toISOString();
  }

  /**
   * Publishes every stored forecast of this worker's whose publication was never confirmed.
   * One published but not marked (killed in between) goes again: its msg id makes JetStream
   * drop the repeat within the duplicate window.
   */
  async publishUnpublished(): Promise<void> {
    const { pool, model, symbols, withDatabase } = this.options;
    // Cleared before reading: a publish failing meanwhile (another symbol's) sets it again.
    this.unpublishedLeft = false;
    try {
      for (;;) {
        const page = await withDatabase(() =>
          unpublishedPredictions(pool, { model, symbols, limit: UNPUBLISHED_PAGE }),
        );
        await this.publish(page);
        if (page.length < UNPUBLISHED_PAGE) break;
      }
    } catch (err) {
      this.unpublishedLeft = true;
      throw err;
    }
  }

  /** Publishes forecasts, then records that JetStream confirmed them. */
  private async publish(predictions: PredictionRecord[]): Promise<void> {
    if (predictions.length === 0) return;
    const { nc, topo, pool, model, metrics, withDatabase } = this.options;
    let outcome: PublishOutcome;
    try {
      outcome = await publishConfirmed(
        nc,
        predictions.map((p) => ({
          subject: topo.predictionSubject(parseResourceKey(model, 'model'), p.symbol),
          data: encodeJson(p),
          msgId: predictionId(p),
        })),
      );
      await withDatabase(() => markPredictionsPublished(pool, predictions));
    } catch (err) {
      this.unpublishedLeft = true;
      throw err;
    }
    this.predictionsPublished += outcome.published;
    metrics.predictions.inc({ model }, outcome.published);
  }
}
