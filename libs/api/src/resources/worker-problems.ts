import type { Heartbeat } from '@cryptoviz/bus';
import { workerErrorProblem } from '@cryptoviz/market';

export type WorkerProblem = ReturnType<typeof workerErrorProblem>;

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * What the beating workers say is wrong now, as a status tells it. A worker that counts its
 * failures in a row and has none has recovered, though its last error stays in its heartbeat.
 */
export function currentProblems(beats: readonly Heartbeat[]): WorkerProblem[] {
  return beats.flatMap((beat) => {
    const kind = beat.details.lastErrorKind;
    if (typeof kind !== 'string' || kind.length === 0) return [];
    if ('consecutiveFailures' in beat.counters && num(beat.counters.consecutiveFailures) === 0) {
      return [];
    }
    return [workerErrorProblem(beat.id, kind, beat.details.lastErrorSummary)];
  });
}
