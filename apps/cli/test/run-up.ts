import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@cryptoviz/workloads';
import { eventually, type TestBus, type TestDatabase } from '@cryptoviz/testkit';
import { spawnWatched } from '@cryptoviz/testkit/process';

const cli = join(import.meta.dirname, '../bin/cryptoviz.js');

export interface UpRun {
  child: ChildProcess;
  stateDir: string;
  gatewayPort: number;
  webPort: number;
  /** Everything `up` printed so far, stdout and stderr. */
  output(): string;
  exited: Promise<number | null>;
  /** Resolves once `up` says the platform is up. */
  ready(): Promise<unknown>;
  /**
   * Runs `probe` the moment `up` prints that the platform is up (from the output's own data
   * event, not a later poll), and resolves to its result.
   */
  atUp<T>(probe: () => Promise<T>): Promise<T>;
}

/** The line `up` prints once the platform answers. */
export const UP_LINE = 'CryptoViz is up.';

/**
 * `cryptoviz up` on a manifests folder, in this test's database and stream namespace, on free
 * ports, as a user starts it. `onSpawn` gets the process at once, so that a test can kill it
 * whatever happens next.
 */
export async function startUp(options: {
  manifests: string;
  bus: TestBus;
  db: TestDatabase;
  env?: NodeJS.ProcessEnv;
  args?: string[];
  onSpawn(child: ChildProcess): void;
}): Promise<UpRun> {
  const [gatewayPort, webPort] = [await freePort(), await freePort()];
  const stateDir = mkdtempSync(join(tmpdir(), 'state-'));
  const { child, output, exited } = spawnWatched(
    process.execPath,
    [
      cli,
      'up',
      ...['--manifests', options.manifests, '--state-dir', stateDir],
      ...['--namespace', options.bus.topo.namespace],
      ...['--gateway-port', String(gatewayPort), '--web-port', String(webPort)],
      ...(options.args ?? []),
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: options.db.url,
        NATS_URL: options.bus.url,
        ...options.env,
      },
      stdin: 'pipe',
    },
  );
  options.onSpawn(child);
  return {
    child,
    stateDir,
    gatewayPort,
    webPort,
    output,
    exited,
    atUp: (probe) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!output().includes(UP_LINE)) return;
          child.stdout.off('data', check);
          probe().then(resolve, reject);
        };
        // After spawnWatched's own listener, so output() already holds this chunk.
        child.stdout.on('data', check);
        check();
      }),
    ready: () =>
      eventually(
        async () => output(),
        (text) => text.includes('Press Ctrl-C to stop.'),
        // A first run compiles the workers and builds the dashboard: slow on a loaded 2-core machine.
        { timeoutMs: 180_000 },
      ),
  };
}
