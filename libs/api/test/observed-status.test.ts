import { describe, expect, it } from 'vitest';
import { HEARTBEAT_FRESH_MS, type Heartbeat, type HeartbeatReport } from '@cryptoviz/bus';
import { testHeartbeat } from '@cryptoviz/testkit';
import { API_VERSION, resourceSchemas } from '@cryptoviz/resources';
import { observeStatus } from '../src/resources/observed-status.ts';

const now = Date.parse('2026-11-22T10:00:00Z');
const ago = (ms: number) => new Date(now - ms).toISOString();

const model = resourceSchemas.PredictionModel.parse({
  apiVersion: API_VERSION,
  kind: 'PredictionModel',
  metadata: { name: 'replay-consensus' },
  spec: { algorithm: 'holt', symbols: ['BTC'], interval: '1h' },
});

function predictorBeat(
  details: Partial<HeartbeatReport<'predictor'>['details']>,
  lastSeen = ago(2_000),
): Heartbeat {
  return testHeartbeat('predictor', {
    id: 'predictor-replay-consensus-0',
    resource: 'default/replay-consensus',
    startedAt: ago(600_000),
    lastSeen,
    details,
  });
}

const flowing = (status: ReturnType<typeof observeStatus>) =>
  status.conditions.find((c) => c.type === 'Flowing')!;

describe('observed status', () => {
  // A replay's forecasts are made in market time, years ago, while the model works right now.
  const newestForecast = '2017-09-10T23:00:00.000Z';

  it('calls a model flowing while its workers keep storing forecasts, whatever their event time', () => {
    const status = observeStatus(
      model,
      [predictorBeat({ lastStoredAt: ago(5_000), lastPredictionAt: newestForecast })],
      newestForecast,
      now,
    );
    expect(flowing(status)).toMatchObject({ status: 'True', reason: 'Fresh' });
    // What is shown as the last forecast stays the forecast's own time.
    expect(status.lastDataAt).toBe(newestForecast);
  });

  it('judges freshness by the one rule the controller uses too (isFreshHeartbeat)', () => {
    const readyWorkers = (lastSeen: string) =>
      observeStatus(model, [predictorBeat({}, lastSeen)], null, now).readyWorkers;
    expect(readyWorkers(ago(HEARTBEAT_FRESH_MS))).toBe(1);
    expect(readyWorkers(ago(HEARTBEAT_FRESH_MS + 1))).toBe(0);
  });

  it('calls a model stale once its workers stopped storing, or say nothing of it', () => {
    const stopped = observeStatus(
      model,
      [predictorBeat({ lastStoredAt: ago(4 * 3_600_000) })],
      newestForecast,
      now,
    );
    expect(flowing(stopped)).toMatchObject({ status: 'False', reason: 'Stale' });
    const silent = observeStatus(model, [predictorBeat({})], newestForecast, now);
    expect(flowing(silent)).toMatchObject({ status: 'False', reason: 'Stale' });
    expect(flowing(observeStatus(model, [], null, now))).toMatchObject({ reason: 'NoDataYet' });
  });
});
