import { describe, expect, it } from 'vitest';
import {
  freshnessProblems,
  LAG_WARNING,
  lagProblems,
  overallStatus,
  workerProblems,
} from '../src/health/health-problems.ts';
import type { WorkerView } from '../src/health/worker-view.ts';

const worker = (over: Partial<WorkerView>): WorkerView => ({
  id: 'fetcher-0',
  role: 'fetcher',
  resource: 'binance',
  startedAt: '2026-12-01T00:00:00.000Z',
  lastSeen: '2026-12-01T00:00:00.000Z',
  ageS: 1,
  stale: false,
  counters: {},
  lastError: null,
  ...over,
});

describe('health problems', () => {
  it('is an error when no writer is healthy, a warning per quiet worker or last error', () => {
    const problems = workerProblems(
      [
        worker({ id: 'fetcher-1', stale: true, ageS: 42.4 }),
        worker({ lastError: { kind: 'auth', message: 'HTTP 401' } }),
        // A stale worker's last error is old news: only its silence is reported.
        worker({
          id: 'fetcher-2',
          stale: true,
          ageS: 20,
          lastError: { kind: 'auth', message: 'x' },
        }),
      ],
      0,
    );
    expect(problems).toEqual([
      { severity: 'error', message: 'no writer is running: ticks are not stored' },
      { severity: 'warning', message: 'fetcher fetcher-1 has not reported for 42 s' },
      { severity: 'warning', message: 'fetcher binance: auth: HTTP 401' },
      { severity: 'warning', message: 'fetcher fetcher-2 has not reported for 20 s' },
    ]);
  });

  it('names late and silent sources only', () => {
    const view = { lastTickAt: null, symbols: 1 } as const;
    expect(
      freshnessProblems([
        { ...view, source: 'a', ageS: null, stale: true, state: 'waiting' },
        { ...view, source: 'b', ageS: 90.6, stale: true, state: 'stale' },
        { ...view, source: 'c', ageS: 1, stale: false, state: 'fresh' },
      ]).map((p) => p.message),
    ).toEqual(['source a has not delivered a tick yet', 'source b: newest tick is 91 s old']);
  });

  it(`warns from ${LAG_WARNING} pending messages on`, () => {
    const lag = (pending: number) => ({
      stream: 'TICKS',
      consumer: 'writer',
      pending,
      ackPending: 0,
      redelivered: 0,
      ackFloor: 0,
    });
    expect(lagProblems([lag(LAG_WARNING - 1)])).toEqual([]);
    expect(lagProblems([lag(LAG_WARNING)])).toHaveLength(1);
  });

  it('is down on any error, degraded on warnings, ok without problems', () => {
    expect(overallStatus([])).toBe('ok');
    expect(overallStatus([{ severity: 'warning', message: 'w' }])).toBe('degraded');
    expect(
      overallStatus([
        { severity: 'warning', message: 'w' },
        { severity: 'error', message: 'e' },
      ]),
    ).toBe('down');
  });
});
