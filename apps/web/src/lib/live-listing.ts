/** How often a live page reads its listing again, to let go of what was deleted. */
export const LISTING_REFRESH_MS = 10_000;

/**
 * A live page's items after a fresh listing from the gateway: an item the listing no longer
 * has (its source or model was deleted) leaves, unless a live update arrived for it after
 * the listing was asked for (`updatedAfterAsk`), which the listing may simply predate. The
 * same array when nothing leaves, so the page does not redraw for nothing.
 */
export function keepListed<T>(
  items: T[],
  keyOf: (item: T) => string,
  listed: ReadonlySet<string>,
  updatedAfterAsk: (key: string) => boolean,
): T[] {
  const kept = items.filter((item) => {
    const key = keyOf(item);
    return listed.has(key) || updatedAfterAsk(key);
  });
  return kept.length === items.length ? items : kept;
}

/** When each key last had a live update, to tell what a listing may predate. */
export function liveUpdates(now: () => number = Date.now) {
  const at = new Map<string, number>();
  return {
    saw(key: string): void {
      at.set(key, now());
    },
    /** Whether `key` had a live update at or after `askedAtMs`. */
    since(askedAtMs: number): (key: string) => boolean {
      return (key) => (at.get(key) ?? Number.NEGATIVE_INFINITY) >= askedAtMs;
    },
  };
}
