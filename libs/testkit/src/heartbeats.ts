import {
  heartbeatSchema,
  type Heartbeat,
  type HeartbeatReport,
  type HeartbeatRole,
} from '@cryptoviz/bus';

/** What a worker of each role reports before it has done anything: no counts, no facts yet. */
const IDLE: { [R in HeartbeatRole]: HeartbeatReport<R> } = {
  fetcher: {
    counters: {
      ticksPublished: 0,
      duplicates: 0,
      skipped: 0,
      polls: 0,
      consecutiveFailures: 0,
      backfills: 0,
      droppedTicks: 0,
    },
    details: {
      symbols: [],
      lastSuccessAt: null,
      lastErrorKind: null,
      lastErrorMessage: null,
      lastErrorSummary: null,
      exhausted: false,
      newestTickTime: null,
      heldTicks: 0,
      ignoredFields: {},
    },
  },
  writer: { counters: { stored: 0, duplicate: 0, deadLettered: 0, batches: 0 }, details: {} },
  predictor: {
    counters: { series: 0, predictionsPublished: 0, scored: 0, ignoredTicks: 0 },
    details: {
      lastPredictionAt: null,
      lastStoredAt: null,
      accuracy: null,
      skill: null,
      skillVerdict: null,
      skillPValue: null,
    },
  },
  controller: { counters: {}, details: {} },
  gateway: { counters: { subscriptions: 0 }, details: { port: 0, readOnly: true } },
};

/** A valid heartbeat of one role, beating now and idle except for what the test says. */
export function testHeartbeat<R extends HeartbeatRole>(
  role: R,
  beat: {
    id: string;
    resource?: string;
    startedAt?: string;
    lastSeen?: string;
    counters?: Partial<HeartbeatReport<R>['counters']>;
    details?: Partial<HeartbeatReport<R>['details']>;
  },
): Heartbeat {
  const now = new Date().toISOString();
  return heartbeatSchema.parse({
    startedAt: now,
    lastSeen: now,
    ...beat,
    role,
    counters: { ...IDLE[role].counters, ...beat.counters },
    details: { ...IDLE[role].details, ...beat.details },
  });
}
