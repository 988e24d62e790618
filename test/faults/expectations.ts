import { expect } from 'vitest';
import { eventually } from '@cryptoviz/testkit';
import type { Expected, Observed, Pipeline } from './pipeline.ts';

/** Items of `list` that occur more than once, each named once. */
function repeated(list: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const item of list) (seen.has(item) ? twice : seen).add(item);
  return [...twice];
}

const missing = (wanted: Set<string>, got: Iterable<string>) => {
  const have = new Set(got);
  return [...wanted].filter((key) => !have.has(key));
};
const extra = (wanted: Set<string>, got: Iterable<string>) =>
  [...new Set(got)].filter((key) => !wanted.has(key));

/** Every loss and every double, by where it shows; all empty is a clean run. */
export function discrepancies(expected: Expected, observed: Observed) {
  return {
    ticksNotStored: missing(expected.ticks, observed.ticksStored),
    ticksStoredUnexpected: extra(expected.ticks, observed.ticksStored),
    ticksNotInStream: missing(expected.ticks, observed.ticksInStream),
    ticksPublishedTwice: repeated(observed.ticksInStream),
    predictionsNotStored: missing(expected.predictions, observed.predictionsStored),
    predictionsStoredUnexpected: extra(expected.predictions, observed.predictionsStored),
    predictionsNotPublished: missing(expected.predictions, observed.predictionsInStream),
    predictionsPublishedTwice: repeated(observed.predictionsInStream),
  };
}

const firstFew = (d: Record<string, string[]>) =>
  Object.fromEntries(
    Object.entries(d).map(([k, v]) => [k, { count: v.length, some: v.slice(0, 3) }]),
  );

/**
 * Waits until the stored ticks and forecasts are complete (or the wait runs out), then asserts
 * that nothing was lost and nothing doubled, in the tables and in the streams: every stored
 * forecast published once, even one stored just before its predictor was killed.
 */
export async function expectExactlyOnce(
  pipeline: Pipeline,
  { timeoutMs = 60_000 } = {},
): Promise<void> {
  const { expected } = pipeline;
  const complete = (o: Observed) =>
    o.ticksStored.size >= expected.ticks.size &&
    o.predictionsStored.size >= expected.predictions.size &&
    new Set(o.predictionsInStream).size >= expected.predictions.size;
  // A server just started again may not answer yet: that is a look to take again, not a verdict.
  const observed =
    (await eventually(
      () => pipeline.observe().catch(() => undefined),
      (o) => o !== undefined && complete(o),
      { timeoutMs, intervalMs: 1_000 },
    ).catch(() => undefined)) ?? (await pipeline.observe());
  const found = firstFew(discrepancies(expected, observed));
  const clean = Object.fromEntries(Object.keys(found).map((k) => [k, { count: 0, some: [] }]));
  expect(found).toEqual(clean);
}

/** Waits until this share of the replay's ticks is stored: where a fault is injected. */
export async function reachShare(pipeline: Pipeline, share: number): Promise<void> {
  const wanted = Math.ceil(pipeline.expected.ticks.size * share);
  await eventually(
    () => pipeline.storedTickCount(),
    (n) => n >= wanted,
    { timeoutMs: 90_000, intervalMs: 50 },
  );
}
