import { describe, expect, it } from 'vitest';
import { startService } from '@cryptoviz/runtime';
import { DEFAULT_CATCH_UP_MAX_BARS, pages, planCatchUp, predictorService } from '../src/index.ts';

const BAR = 60_000;
const at = (bar: number) => bar * BAR;
// The newest tick falls inside bar 10,000, which stays open.
const plan = (lastForecastBar: number | null, maxBars = DEFAULT_CATCH_UP_MAX_BARS) =>
  planCatchUp({
    barMs: BAR,
    newestTickMs: at(10_000) + 1_234,
    lastForecastMs: lastForecastBar === null ? null : at(lastForecastBar),
    historyBars: 100,
    maxBars,
  });

describe('catch-up plan', () => {
  it('gives a series never forecast its history, every bar of it forecast', () => {
    expect(plan(null)).toEqual({
      replayFrom: at(9_900),
      replayTo: at(10_001),
      persistFrom: at(9_900),
      skipped: null,
    });
  });

  it('resumes at the last forecast, after a warm-up of the history bars', () => {
    // Bar 7,999 closed at 8,000 with the last forecast; the warm-up ends at bar 7,998's close.
    expect(plan(8_000)).toEqual({
      replayFrom: at(7_899),
      replayTo: at(10_001),
      persistFrom: at(8_000),
      skipped: null,
    });
  });

  it('catches up a downtime of exactly the bound in full', () => {
    expect(plan(8_000, 2_000).skipped).toBeNull();
    expect(plan(8_000, 2_000).persistFrom).toBe(at(8_000));
  });

  it('past the bound, forecasts only its newest bars and names the ones skipped', () => {
    const past = plan(8_000, 1_500);
    // Closes 8,001 to 8,500 are skipped; 8,501 to 10,000 make the 1,500 forecast.
    expect(past.skipped).toEqual({ from: at(8_001), to: at(8_500), bars: 500 });
    expect(past.persistFrom).toBe(at(8_501));
    expect((past.replayTo - BAR - past.persistFrom) / BAR + 1).toBe(1_500);
    expect(past.replayFrom).toBe(at(8_501 - 101));
  });

  it('replays nothing new when the last forecast is the newest close', () => {
    const caughtUp = plan(10_000);
    expect(caughtUp.skipped).toBeNull();
    expect(caughtUp.persistFrom).toBe(at(10_000));
  });

  it('cuts a replay into adjacent pages of at most the page size', () => {
    expect([...pages(at(10), at(35), BAR, 10)]).toEqual([
      { from: at(10), to: at(20) },
      { from: at(20), to: at(30) },
      { from: at(30), to: at(35) },
    ]);
    expect([...pages(at(10), at(10), BAR, 10)]).toEqual([]);
  });

  it('refuses a bound that is not a positive whole number of bars, naming the variable', async () => {
    const env = {
      MODEL_FILE: 'model.yaml',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/none',
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
    };
    for (const bad of ['0', '-5', '1.5', 'lots']) {
      await expect(
        startService(predictorService, { ...env, PREDICTOR_CATCHUP_MAX_BARS: bad }),
      ).rejects.toThrow(/PREDICTOR_CATCHUP_MAX_BARS/);
    }
  });
});
