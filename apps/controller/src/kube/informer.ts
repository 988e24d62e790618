import {
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ListPromise,
  type ObjectCache,
} from '@kubernetes/client-node';
import { ExponentialBackoff, noJitterGenerator, type IBackoff } from 'cockatiel';

export interface SupervisedInformerOptions {
  /** Restart when nothing (event, reconnect) was seen for this long: a hung watch is silent. */
  staleAfterMs?: number;
  onRestart?: (reason: string) => void;
  /**
   * Drops what the controller never reads from cached objects (managedFields, owned objects'
   * specs), in place: with a thousand resources the caches are most of the memory.
   */
  slim?: (object: KubernetesObject) => void;
}

type Verb = 'add' | 'update' | 'delete';

/** 250 ms after the first failure, doubling up to 10 s. */
const RESTART_DELAYS = new ExponentialBackoff({
  generator: noJitterGenerator,
  initialDelay: 250,
  maxDelay: 10_000,
});

/**
 * The client's informer with a supervisor. The informer stops for good on a list or watch
 * error (only a 410 Gone makes it relist by itself); this restarts it with backoff, and also
 * when it has been silent too long. The cache survives restarts, so a relist after 410 reports
 * objects deleted meanwhile as deletes.
 */
export class SupervisedInformer<T extends KubernetesObject> {
  private readonly informer: Informer<T> & ObjectCache<T>;
  private lastActivity = Date.now();
  /** Where the restarts are in their backoff; unset while the informer delivers. */
  private backoff?: IBackoff<unknown>;
  private restartTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private stopped = true;
  /** Set while a restart waits for the old watch to report its abort. */
  private abortWaiter?: () => void;
  private restarting = false;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(
    kc: KubeConfig,
    path: string,
    list: ListPromise<T>,
    labelSelector: string | undefined,
    private readonly options: SupervisedInformerOptions = {},
  ) {
    const touch = () => {
      this.lastActivity = Date.now();
    };
    const slim = options.slim ?? (() => undefined);
    this.informer = makeInformer(
      kc,
      path,
      async () => {
        const result = await list();
        for (const item of result.items) slim(item);
        touch();
        this.backoff = undefined;
        this.markSynced();
        return result;
      },
      labelSelector,
    );
    // The cache holds the very object the callbacks get, so slimming here slims the cache.
    for (const verb of ['add', 'update'] as const) this.informer.on(verb, slim);
    const delivered = () => {
      touch();
      this.backoff = undefined;
    };
    for (const verb of ['add', 'update', 'delete'] as const) this.informer.on(verb, delivered);
    this.informer.on('connect', touch);
    this.informer.on('error', (err) => this.onError(err));
  }

  on(verb: Verb, callback: (object: T) => void): void {
    this.informer.on(verb, callback);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.informer.list(namespace);
  }

  /** Starts watching; resolves once the first list has filled the cache. */
  async start(): Promise<void> {
    this.stopped = false;
    const staleAfterMs = this.options.staleAfterMs ?? 5 * 60_000;
    this.watchdog = setInterval(
      () => {
        if (Date.now() - this.lastActivity > staleAfterMs) this.restart('no activity');
      },
      Math.min(staleAfterMs, 30_000),
    );
    this.watchdog.unref();
    const synced = new Promise<void>((resolve) =>
      this.synced ? resolve() : this.syncWaiters.push(resolve),
    );
    this.informer.start().catch((err: unknown) => this.onError(err));
    await synced;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  private markSynced(): void {
    this.synced = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  private onError(err: unknown): void {
    if (this.stopped) return;
    const aborted =
      (err as { name?: string } | undefined)?.name === 'AbortError' ||
      (err as { type?: string } | undefined)?.type === 'aborted';
    // The abort of the old watch on a restart is ours, not a failure. Any other abort killed
    // the live watch (see restart) and is a failure like any other.
    if (aborted && this.abortWaiter) return this.abortWaiter();
    this.backoff = (this.backoff ?? RESTART_DELAYS).next(undefined);
    this.scheduleRestart(`error: ${(err as Error)?.message ?? String(err)}`, this.backoff.duration);
  }

  private restart(reason: string): void {
    this.scheduleRestart(reason, 0);
  }

  private scheduleRestart(reason: string, delayMs: number): void {
    if (this.stopped || this.restartTimer || this.restarting) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.options.onRestart?.(reason);
      this.lastActivity = Date.now();
      this.restarting = true;
      void (async () => {
        // The old watch reports its abort asynchronously, and the client's handler for it
        // aborts whatever request is current: starting before that would kill the new watch.
        const aborted = new Promise<void>((resolve) => {
          this.abortWaiter = resolve;
          setTimeout(resolve, 1_000).unref();
        });
        await this.informer.stop();
        await aborted;
        this.abortWaiter = undefined;
        // From here on errors belong to the new watch and must be able to restart it.
        this.restarting = false;
        if (this.stopped) return;
        await this.informer.start();
      })().catch((err: unknown) => {
        this.restarting = false;
        this.onError(err);
      });
    }, delayMs);
    this.restartTimer.unref();
  }
}
