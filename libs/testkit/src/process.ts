import { spawn, type ChildProcessWithoutNullStreams, type SpawnOptions } from 'node:child_process';

export interface WatchedProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything the process printed so far, stdout and stderr interleaved. */
  output(): string;
  /** What it printed to stderr alone. */
  stderr(): string;
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/**
 * A process a test starts and watches: its output collected from the first byte (a process
 * that dies at once still leaves its reason), its exit awaitable from the start.
 */
export function spawnWatched(
  command: string,
  args: readonly string[],
  {
    stdin = 'ignore',
    ...options
  }: Omit<SpawnOptions, 'stdio'> & { stdin?: 'ignore' | 'pipe' } = {},
): WatchedProcess {
  const child = spawn(command, args, {
    ...options,
    stdio: [stdin, 'pipe', 'pipe'],
  }) as ChildProcessWithoutNullStreams;
  let output = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  return { child, output: () => output, stderr: () => stderr, exited };
}
