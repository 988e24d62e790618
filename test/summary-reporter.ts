import type { RunnerTask, RunnerTestFile } from 'vitest';
import type { Reporter } from 'vitest/node';

function* leaves(task: RunnerTask): Generator<RunnerTask> {
  if (task.type === 'suite') for (const child of task.tasks) yield* leaves(child);
  else yield task;
}

function* suites(task: RunnerTask): Generator<RunnerTask> {
  if (task.type !== 'suite') return;
  for (const child of task.tasks) {
    if (child.type === 'suite') {
      yield child;
      yield* suites(child);
    }
  }
}

const failedTest = (task: RunnerTask) => task.result?.state === 'fail';

/** Set by the global setup: which TimescaleDB the run tested on, or why none. */
export const STORAGE_FLAVORS_ENV = 'CRYPTOVIZ_TEST_TIMESCALE';
/** Set by the global setup: whether the chart ran on a real Kubernetes node, or why not. */
export const KUBERNETES_NODE_ENV = 'CRYPTOVIZ_TEST_NODE';

/**
 * Ends the run with one plain `tests: N passed, N failed` line, the summary CI reads;
 * vitest's own table stays above it for people. A file that failed to load counts as failed.
 * The lines before it say which storage flavors were tested (the TimescaleDB cases are only
 * generated when the machine has the extension) and whether the real-node test could run.
 */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    let passed = 0;
    let failed = errors.length;
    let skipped = 0;
    for (const file of files) {
      if (file.result?.state === 'fail' && file.tasks.length === 0) failed++;
      for (const test of leaves(file)) {
        const state = test.result?.state;
        if (state === 'pass') passed++;
        else if (state === 'fail') failed++;
        else skipped++;
      }
      // A suite whose beforeAll failed marks its tests skipped: the suite itself counts.
      for (const suite of suites(file)) {
        if (suite.result?.state === 'fail' && ![...leaves(suite)].some(failedTest)) failed++;
      }
    }
    const tail = skipped ? `, ${skipped} skipped` : '';
    const timescale = process.env[STORAGE_FLAVORS_ENV];
    if (timescale) {
      process.stdout.write(`\nstorage flavors: ${timescale}`);
    }
    const node = process.env[KUBERNETES_NODE_ENV];
    if (node) process.stdout.write(`\nkubernetes node: ${node}`);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${tail}\n`);
  }
}
