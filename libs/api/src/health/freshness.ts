import type { Heartbeat } from '@cryptoviz/bus';
import {
  parseDuration,
  resourceKeyOf,
  type CryptoSource,
  type Resource,
} from '@cryptoviz/resources';
import type { SourceFreshness } from '@cryptoviz/store';
import { sourceFinished } from './finished.ts';

const MIN_FRESHNESS_MS = 30_000;

/**
 * How a source delivers: `fresh` (on time), `stale` (late), `waiting` (no tick yet),
 * `finished` (a replay that played all its data), `suspended` (`spec.suspend`).
 */
export type FreshnessState = 'fresh' | 'stale' | 'waiting' | 'finished' | 'suspended';

export interface SourceFreshnessView {
  source: string;
  /** The newest tick's own time: market time, years ago for a replay. */
  lastTickAt: string | null;
  /** Seconds since the newest tick arrived (wall time). */
  ageS: number | null;
  /** Late or silent while it should deliver (`stale` or `waiting`): worth a warning. */
  stale: boolean;
  state: FreshnessState;
  symbols: number;
}

/** A source that is no longer declared but whose ticks are kept: history, not a live market. */
export interface RetiredSourceView {
  source: string;
  lastTickAt: string;
  symbols: number;
}

function stateOf(source: {
  suspended: boolean;
  finished: boolean;
  ageMs: number | null;
  limitMs: number;
}): FreshnessState {
  if (source.suspended) return 'suspended';
  if (source.finished) return 'finished';
  if (source.ageMs === null) return 'waiting';
  return source.ageMs > source.limitMs ? 'stale' : 'fresh';
}

/**
 * Each declared source's state, and the stored sources no longer declared (retired). Without
 * a listing (`resources` null) every stored source is judged, by the shortest interval.
 */
export function judgeFreshness(
  stored: readonly SourceFreshness[],
  resources: readonly Resource[] | null,
  reportingFetchers: readonly Heartbeat[],
  nowMs: number,
): { freshness: SourceFreshnessView[]; retired: RetiredSourceView[] } {
  const declared = new Map<string, CryptoSource>();
  for (const r of resources ?? []) {
    if (r.kind === 'CryptoSource') declared.set(resourceKeyOf(r), r);
  }
  const seen = new Map(stored.map((f) => [f.source, f]));
  const names = resources ? [...declared.keys()] : [...seen.keys()];
  const freshness = names.sort().map((source): SourceFreshnessView => {
    const f = seen.get(source);
    const spec = declared.get(source)?.spec;
    // Judged by arrival, not market time: a replay of old candles is fresh while it flows.
    const ageMs = f ? Math.max(0, nowMs - Date.parse(f.lastReceivedAt)) : null;
    const limitMs = Math.max(MIN_FRESHNESS_MS, 3 * (spec ? parseDuration(spec.interval) : 0));
    const finished = sourceFinished(reportingFetchers.filter((b) => b.resource === source));
    const state = stateOf({ suspended: spec?.suspend === true, finished, ageMs, limitMs });
    return {
      source,
      lastTickAt: f?.lastTickAt ?? null,
      ageS: ageMs === null ? null : ageMs / 1000,
      stale: state === 'stale' || state === 'waiting',
      state,
      symbols: f?.symbols ?? 0,
    };
  });
  const retired = resources
    ? stored
        .filter((f) => !declared.has(f.source))
        .map((f) => ({ source: f.source, lastTickAt: f.lastTickAt, symbols: f.symbols }))
    : [];
  return { freshness, retired };
}
