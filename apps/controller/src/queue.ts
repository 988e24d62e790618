import { ExponentialBackoff, noJitterGenerator, type IBackoff } from 'cockatiel';

/**
 * A work queue keyed by object, as controllers use: adding a key already waiting is a no-op,
 * a key never runs twice at once (an add while it runs makes it run once more afterwards),
 * failures requeue with exponential backoff per key, and delayed adds serve periodic resync.
 */
export interface WorkQueueOptions {
  workers: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onDepth?: (depth: number) => void;
}

export type Handler = (key: string) => Promise<{ requeueAfterMs?: number } | void>;

export class WorkQueue {
  private readonly ready: string[] = [];
  private readonly waiting = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  /** Each failing key's place in the backoff; gone when the key succeeds. */
  private readonly backoffs = new Map<string, IBackoff<unknown>>();
  private readonly delays: ExponentialBackoff<number>;
  /** Each delayed add's timer carries its deadline, so an earlier deadline can replace it. */
  private readonly timers = new Map<string, NodeJS.Timeout & { dueAt?: number }>();
  private readonly idle: (() => void)[] = [];
  private active = 0;
  private stopped = false;

  constructor(
    private readonly handler: Handler,
    private readonly options: WorkQueueOptions,
    private readonly onError: (key: string, err: unknown, retryInMs: number) => void = () =>
      undefined,
  ) {
    this.delays = new ExponentialBackoff({
      generator: noJitterGenerator,
      initialDelay: options.baseDelayMs ?? 500,
      maxDelay: options.maxDelayMs ?? 60_000,
    });
  }

  get depth(): number {
    return this.ready.length;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.waiting.has(key)) return;
    const timer = this.timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
    this.waiting.add(key);
    this.ready.push(key);
    this.report();
    this.pump();
  }

  /** Adds `key` after `ms`, unless something adds it sooner; the earliest deadline wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped || this.waiting.has(key)) return;
    const existing = this.timers.get(key);
    const dueAt = Date.now() + ms;
    if (existing?.dueAt !== undefined && existing.dueAt <= dueAt) return;
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms) as NodeJS.Timeout & { dueAt?: number };
    timer.dueAt = dueAt;
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Forgets where a key is in its backoff, e.g. when its object is gone. */
  forget(key: string): void {
    this.backoffs.delete(key);
  }

  /** Stops taking work and waits for running handlers to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    this.waiting.clear();
    if (this.active > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (!this.stopped && this.active < this.options.workers && this.ready.length > 0) {
      const key = this.ready.shift()!;
      this.waiting.delete(key);
      this.running.add(key);
      this.active++;
      this.report();
      void this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    try {
      const result = await this.handler(key);
      this.backoffs.delete(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      const backoff = (this.backoffs.get(key) ?? this.delays).next(undefined);
      this.backoffs.set(key, backoff);
      const delay = backoff.duration;
      this.onError(key, err, delay);
      this.addAfter(key, delay);
    } finally {
      this.running.delete(key);
      this.active--;
      if (this.dirty.delete(key)) this.add(key);
      if (this.active === 0 && this.stopped) for (const resolve of this.idle.splice(0)) resolve();
      this.pump();
    }
  }

  private report(): void {
    this.options.onDepth?.(this.ready.length);
  }
}
