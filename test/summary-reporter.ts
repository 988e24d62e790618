import type { RunnerTask, RunnerTestFile } from 'vitest';
import type { Reporter } from 'vitest/node';

function* leaves(task: RunnerTask): Generator<RunnerTask> {
  if (task.type === 'suite') for (const child of task.tasks) yield* leaves(child);
  else yield task;
}

/**
 * Ends the run with one plain `tests: N passed, N failed` line, the summary CI reads;
 * vitest's own table stays above it for people. A file that failed to load counts as failed.
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
    }
    const tail = skipped ? `, ${skipped} skipped` : '';
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${tail}\n`);
  }
}
