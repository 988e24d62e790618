import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';

export interface Launched {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/**
 * Starts a control-plane binary with its output in `logFile`. Detached processes outlive this
 * one (for `cryptoviz control-plane up`); attached ones die with the test that started them.
 */
export function launch(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  detached: boolean,
): Launched {
  const out = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', out, out], detached });
  if (detached) child.unref();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  child.once('error', () => undefined);
  return { name, child, exited };
}

/** SIGTERM, then SIGKILL if it lingers: a test run must never leave a server behind. */
export async function terminate(proc: Launched, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill(signal);
  const killer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await proc.exited;
  clearTimeout(killer);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
