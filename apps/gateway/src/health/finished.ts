import type { Heartbeat } from '@cryptoviz/bus';

/**
 * Whether a source has played all it has: every fetcher reporting for it says its provider is
 * exhausted (a replay without `loop` that reached its files' end). Such a source delivers
 * nothing more by design, which is neither stale nor a fault.
 */
export function sourceFinished(reportingFetchers: readonly Heartbeat[]): boolean {
  return (
    reportingFetchers.length > 0 &&
    reportingFetchers.every((b) => b.role === 'fetcher' && b.details.exhausted)
  );
}
