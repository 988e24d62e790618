import type { ConsumerLag } from '@cryptoviz/bus';
import type { Logger } from '@cryptoviz/runtime';
import type { SourceFreshnessView } from './freshness.ts';
import type { WorkerView } from './worker-view.ts';

/** A line for the dashboard's health banner; any `error` makes the pipeline `down`. */
export interface HealthProblem {
  severity: 'error' | 'warning';
  message: string;
}

/** A consumer this far behind is worth a warning. */
export const LAG_WARNING = 10_000;

/** Settled value or a fallback, recording what could not be read as a problem. */
export async function attempt<T>(
  problems: HealthProblem[],
  what: string,
  read: () => Promise<T>,
  fallback: T,
  log: Logger,
): Promise<T> {
  try {
    return await read();
  } catch (err) {
    log.warn({ err: (err as Error).message, what }, 'health: a check failed');
    problems.push({ severity: 'error', message: `${what} could not be read` });
    return fallback;
  }
}

/** No writer, workers gone quiet, and the last error of each worker still reporting. */
export function workerProblems(
  workers: readonly WorkerView[],
  healthyWriters: number,
): HealthProblem[] {
  const problems: HealthProblem[] = [];
  if (healthyWriters === 0) {
    problems.push({ severity: 'error', message: 'no writer is running: ticks are not stored' });
  }
  for (const w of workers) {
    if (w.stale) {
      problems.push({
        severity: 'warning',
        message: `${w.role} ${w.id} has not reported for ${Math.round(w.ageS)} s`,
      });
    }
    if (w.lastError && !w.stale) {
      problems.push({
        severity: 'warning',
        message: `${w.role} ${w.resource ?? w.id}: ${w.lastError.kind}: ${w.lastError.message}`,
      });
    }
  }
  return problems;
}

/** Sources late or silent while they should deliver. */
export function freshnessProblems(freshness: readonly SourceFreshnessView[]): HealthProblem[] {
  const problems: HealthProblem[] = [];
  for (const f of freshness) {
    if (!f.stale) continue;
    problems.push({
      severity: 'warning',
      message:
        f.ageS === null
          ? `source ${f.source} has not delivered a tick yet`
          : `source ${f.source}: newest tick is ${Math.round(f.ageS)} s old`,
    });
  }
  return problems;
}

/** Consumers LAG_WARNING or more messages behind. */
export function lagProblems(lag: readonly ConsumerLag[]): HealthProblem[] {
  const problems: HealthProblem[] = [];
  for (const l of lag) {
    if (l.pending >= LAG_WARNING) {
      problems.push({
        severity: 'warning',
        message: `consumer ${l.consumer} is ${l.pending} messages behind on ${l.stream}`,
      });
    }
  }
  return problems;
}

/** `down` on any error, `degraded` on warnings only, else `ok`. */
export function overallStatus(problems: readonly HealthProblem[]): 'ok' | 'degraded' | 'down' {
  return problems.some((p) => p.severity === 'error')
    ? 'down'
    : problems.length > 0
      ? 'degraded'
      : 'ok';
}
