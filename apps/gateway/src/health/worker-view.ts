import { isFreshHeartbeat, type Heartbeat } from '@cryptoviz/bus';

export interface WorkerView {
  id: string;
  role: Heartbeat['role'];
  resource: string | null;
  startedAt: string;
  lastSeen: string;
  ageS: number;
  stale: boolean;
  counters: Record<string, number>;
  /**
   * `message` never quotes a provider (a public summary); `detail`, the full scrubbed
   * message, is there only for callers who presented the gateway token.
   */
  lastError: { kind: string; message: string; detail?: string } | null;
}

/** Who asks: provider excerpts in error messages are shown only to authenticated callers. */
export interface HealthViewer {
  authenticated: boolean;
}

/** What a public caller reads when a worker reports no summary of its own. */
const NO_SUMMARY = 'the message is shown to authenticated callers';

function lastErrorView(beat: Heartbeat, viewer: HealthViewer): WorkerView['lastError'] {
  if (beat.role !== 'fetcher') return null;
  const { lastErrorKind: kind, lastErrorSummary: summary, lastErrorMessage: detail } = beat.details;
  if (!kind) return null;
  const message = summary ?? NO_SUMMARY;
  return viewer.authenticated && detail !== null ? { kind, message, detail } : { kind, message };
}

export function workerView(beat: Heartbeat, nowMs: number, viewer: HealthViewer): WorkerView {
  const ageMs = nowMs - Date.parse(beat.lastSeen);
  return {
    id: beat.id,
    role: beat.role,
    resource: beat.resource ?? null,
    startedAt: beat.startedAt,
    lastSeen: beat.lastSeen,
    ageS: Math.max(0, ageMs / 1000),
    stale: !isFreshHeartbeat(beat, nowMs),
    counters: beat.counters,
    lastError: lastErrorView(beat, viewer),
  };
}
