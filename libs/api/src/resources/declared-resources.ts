import { resourceKeyOf } from '@cryptoviz/resources';
import type { Logger } from '@cryptoviz/runtime';
import type { ResourceStore } from './resource-store.ts';

/** The CryptoSources and PredictionModels that exist now, by name. */
export interface DeclaredNames {
  sources: ReadonlySet<string>;
  models: ReadonlySet<string>;
}

/**
 * What the live views show: data of declared resources only. A deleted source's or model's
 * rows stay in the database (its history is still queryable on purpose), but its frozen last
 * price is no market anyone runs. `null` (the listing could not be read) hides nothing: an
 * unreachable Kubernetes API must not empty every view.
 */
export function isDeclaredSource(declared: DeclaredNames | null, source: string): boolean {
  return declared === null || declared.sources.has(source);
}

/** A forecast is live when its model and the source it reads are both declared. */
export function isDeclaredForecast(
  declared: DeclaredNames | null,
  forecast: { model: string; source: string },
): boolean {
  return (
    declared === null ||
    (declared.models.has(forecast.model) && declared.sources.has(forecast.source))
  );
}

/**
 * The declared names, read from the resource store at most every `maxAgeMs` (a listing reads
 * a folder of manifests or asks the Kubernetes API; live views ask for every query and every
 * streamed message). A change made through the gateway is seen at once (`invalidate`); one
 * made elsewhere (kubectl, an edited folder) within `maxAgeMs`.
 */
export class DeclaredResources {
  #names: DeclaredNames | null = null;
  #readAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<DeclaredNames | null> | null = null;
  /** Bumped by `invalidate`: a listing begun before a change must not answer after it. */
  #generation = 0;
  #failing = false;
  readonly #onInvalidate: (() => void)[] = [];

  constructor(
    private readonly store: Pick<ResourceStore, 'list'>,
    private readonly log: Pick<Logger, 'warn' | 'info'>,
    private readonly maxAgeMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The names declared now (read again when older than `maxAgeMs`); null if unreadable. */
  read(): Promise<DeclaredNames | null> {
    if (this.now() - this.#readAt < this.maxAgeMs) return Promise.resolve(this.#names);
    if (!this.#reading) {
      const reading = this.#list().finally(() => {
        if (this.#reading === reading) this.#reading = null;
      });
      this.#reading = reading;
    }
    return this.#reading;
  }

  /**
   * The last names read, without waiting (for a check per streamed message); starts a new
   * read when they are old. Null until a first read finished, or while it fails.
   */
  current(): DeclaredNames | null {
    void this.read();
    return this.#names;
  }

  /** Forgets the names: the next read lists again (after a create, update or delete). */
  invalidate(): void {
    this.#generation++;
    this.#readAt = Number.NEGATIVE_INFINITY;
    this.#reading = null;
    for (const listener of this.#onInvalidate) listener();
  }

  /** Calls `listener` on every `invalidate`: for caches of answers filtered by these names. */
  onInvalidate(listener: () => void): void {
    this.#onInvalidate.push(listener);
  }

  async #list(): Promise<DeclaredNames | null> {
    const startedAt = this.now();
    const generation = this.#generation;
    try {
      const { resources } = await this.store.list();
      // A change landed while this listing was on its way: its answer may predate the change.
      if (generation !== this.#generation) return await this.read();
      const names = (kind: string) =>
        new Set(resources.filter((r) => r.kind === kind).map((r) => resourceKeyOf(r)));
      this.#names = { sources: names('CryptoSource'), models: names('PredictionModel') };
      if (this.#failing) this.log.info('resource listing readable again: live views filter again');
      this.#failing = false;
    } catch (err) {
      if (generation !== this.#generation) return this.read();
      if (!this.#failing) {
        this.log.warn(
          { err: (err as Error).message },
          'resources could not be listed: live views show every stored source and model',
        );
      }
      this.#failing = true;
      this.#names = null;
    }
    this.#readAt = startedAt;
    return this.#names;
  }
}
