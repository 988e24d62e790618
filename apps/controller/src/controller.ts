import { settlesWithin } from '@cryptoviz/runtime';
import type { ResourceCache } from './platform.ts';
import { WorkQueue } from './queue.ts';
import { Reconciler, type ReconcilerOptions } from './reconciler.ts';
import type { CurrentBus } from './streams.ts';

export interface ControllerMetrics {
  reconciled(outcome: 'ok' | 'error', seconds: number): void;
  queueDepth(depth: number): void;
}

export interface ControllerOptions {
  store: ResourceCache;
  reconciler: Reconciler;
  workers?: number;
  metrics?: ControllerMetrics;
  onError?: (key: string, err: unknown, retryInMs: number) => void;
}

export interface ControlLoopOptions
  extends Omit<ReconcilerOptions, 'heartbeats'>, Omit<ControllerOptions, 'store' | 'reconciler'> {
  /** Read on every reconcile, so a bus that connects later is used from then on. */
  bus?: CurrentBus;
}

/** The reconcile loop both backends share: a reconciler fed by a controller's queue. */
export function createControlLoop(options: ControlLoopOptions): {
  reconciler: Reconciler;
  controller: Controller;
} {
  const reconciler = new Reconciler({
    ...options,
    heartbeats: () => options.bus?.()?.heartbeats.snapshot(),
  });
  return { reconciler, controller: new Controller({ ...options, reconciler }) };
}

/**
 * Informers (or a folder watcher) feed a work queue; workers run one reconcile per key at a
 * time. Start when this replica leads; stop when it no longer does.
 */
export class Controller {
  private queue?: WorkQueue;
  /** Reconciles of stopped queues still finishing; every stop waits for all of them. */
  private draining: Promise<unknown> = Promise.resolve();
  /** Whether the last call was start (a stop meanwhile cancels a start still waiting). */
  private wanted = false;

  constructor(private readonly options: ControllerOptions) {
    options.store.onChange((key) => this.queue?.add(key));
  }

  get running(): boolean {
    return this.queue !== undefined;
  }

  /**
   * Starts once the reconciles of an earlier term have finished, so that leading again soon
   * after losing the lead never runs two reconciles of one resource at once.
   */
  async start(): Promise<void> {
    this.wanted = true;
    await this.draining;
    if (!this.wanted || this.queue) return;
    const { reconciler, metrics } = this.options;
    this.queue = new WorkQueue(
      async (key) => {
        const started = performance.now();
        try {
          const result = await reconciler.reconcile(key);
          metrics?.reconciled('ok', (performance.now() - started) / 1000);
          return result;
        } catch (err) {
          metrics?.reconciled('error', (performance.now() - started) / 1000);
          throw err;
        }
      },
      {
        workers: this.options.workers ?? 4,
        baseDelayMs: 500,
        maxDelayMs: 30_000,
        onDepth: (depth) => metrics?.queueDepth(depth),
      },
      this.options.onError,
    );
    for (const key of this.options.store.keys()) this.queue.add(key);
  }

  /**
   * Takes no more work and waits for the reconciles in flight, at most `timeoutMs`; resolves
   * whether they all finished. A second call waits for the same reconciles: one caller must not
   * return early because another already stopped the queue.
   */
  async stop(timeoutMs = Infinity): Promise<boolean> {
    this.wanted = false;
    const queue = this.queue;
    this.queue = undefined;
    if (queue) this.draining = Promise.all([this.draining, queue.stop()]);
    return settlesWithin(this.draining, timeoutMs);
  }
}
