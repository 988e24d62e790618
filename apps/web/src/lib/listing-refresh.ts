import type { ApiOutputs } from './api.ts';

type Pipeline = ApiOutputs['health']['pipeline'];
type Freshness = Pipeline['freshness'][number];
interface Health {
  workers: Pipeline['workers'];
  freshness: (Pick<Freshness, 'source' | 'stale' | 'lastTickAt'> &
    Partial<Pick<Freshness, 'state'>>)[];
}

/**
 * The part of a health snapshot the resources' observed statuses follow: which fetchers and
 * predictors report for which resource, whether each is stale or reports an error, and whether
 * each source delivers on time (or has finished). Ages, counters and rates, new in every snapshot, are left out.
 */
export function statusFingerprint(health: Health): string {
  const workers = health.workers
    .filter((w) => w.role === 'fetcher' || w.role === 'predictor')
    .map((w) => JSON.stringify([w.role, w.resource, w.id, w.stale, w.lastError?.kind ?? null]));
  const sources = health.freshness.map((f) =>
    JSON.stringify([f.source, f.stale, f.state ?? null, f.lastTickAt !== null]),
  );
  return JSON.stringify([workers.sort(), sources.sort()]);
}

export interface ListingRefresh {
  /** The listing was just read: on load, or after a change was saved. */
  markRead(): void;
  /** Whether this health snapshot calls for reading the listing again. */
  needsRead(health: Health): boolean;
}

/**
 * Decides, snapshot by snapshot, when the resources listing is worth reading again: when what
 * its statuses follow changed, or once it is `maxAgeMs` old, since some of what it shows is in
 * no snapshot (a model that stops forecasting, a manifest changed by hand).
 */
export function listingRefresh(maxAgeMs: number, now: () => number = Date.now): ListingRefresh {
  let seen: string | null = null;
  let readAt = now();
  return {
    markRead() {
      readAt = now();
    },
    needsRead(health) {
      const fingerprint = statusFingerprint(health);
      // The first snapshot is compared with nothing: the listing was read as the page opened.
      const changed = seen !== null && fingerprint !== seen;
      seen = fingerprint;
      return changed || now() - readAt >= maxAgeMs;
    },
  };
}
