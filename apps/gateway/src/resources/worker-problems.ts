import type { Heartbeat } from '@cryptoviz/bus';
import { workerErrorProblem } from '@cryptoviz/market';

export type WorkerProblem = ReturnType<typeof workerErrorProblem>;

/**
 * What the beating workers say is wrong now, as a status tells it. A fetcher counts its
 * failures in a row: with none it has recovered, though its last error stays in its heartbeat.
 */
export function currentProblems(beats: readonly Heartbeat[]): WorkerProblem[] {
  return beats.flatMap((beat) => {
    if (beat.role !== 'fetcher') return [];
    const kind = beat.details.lastErrorKind;
    if (!kind || beat.counters.consecutiveFailures === 0) return [];
    return [workerErrorProblem(beat.id, kind, beat.details.lastErrorSummary)];
  });
}
