import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ExponentialBackoff, noJitterGenerator, type IBackoff } from 'cockatiel';
import { NODE_FLAGS } from './image.ts';
import type { Role, SecretKeyRef, Workload } from './plan.ts';

export interface RunningWorkload<R extends string = Role> {
  workload: Workload<R>;
  pid: number | undefined;
  probePort: number;
  logFile: string;
  restarts: number;
}

export interface ProcessBackendOptions<R extends string = Role> {
  /** Where per-workload files and logs go. */
  stateDir: string;
  /**
   * Entry module per role, started as `node <entry> <role>`: the compiled platform's one entry
   * picks its role from that argument, as in the image. A TypeScript entry (a test running the
   * sources) is loaded through tsx.
   */
  entries: Partial<Record<R, string>>;
  /** Connection settings every worker gets (NATS_URL, DATABASE_URL, namespace, log level). */
  baseEnv: Record<string, string>;
  /** Resolves a Secret's key in its namespace; locally, Secrets come from manifests. */
  resolveSecret?: (ref: SecretKeyRef) => string | undefined;
  onEvent?: (line: string) => void;
}

/** A loopback port free right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function fingerprint(workload: Workload<string>): string {
  return createHash('sha256').update(JSON.stringify(workload)).digest('hex');
}

/** Node's arguments for an entry, with the image's flags: compiled JavaScript runs on plain node. */
function nodeArguments(entry: string, role: string): string[] {
  if (!entry.endsWith('.ts')) return [...NODE_FLAGS, entry, role];
  // Resolved only here, so compiled code that bundles this module never looks for tsx.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [...NODE_FLAGS, '--import', tsx, entry, role];
}

interface Entry<R extends string> {
  state: RunningWorkload<R>;
  hash: string;
  child?: ChildProcess;
  stopping: boolean;
  restartTimer?: NodeJS.Timeout;
  /** Where its crash restarts are in their backoff: a crash loop settles at the longest wait. */
  restartBackoff?: IBackoff<unknown>;
}

/** 1 s after the first crash, doubling up to 30 s. */
const RESTART_DELAYS = new ExponentialBackoff({
  generator: noJitterGenerator,
  initialDelay: 1_000,
  maxDelay: 30_000,
});

/**
 * Runs workloads as supervised child processes: what a Deployment does in a cluster —
 * start what is new, restart what changed or crashed (with backoff), stop what is gone.
 */
export class ProcessBackend<R extends string = Role> {
  private readonly entries = new Map<string, Entry<R>>();
  /** Workloads whose role has no entry module here (e.g. a worker not built yet). */
  private readonly skipped = new Set<string>();

  constructor(private readonly options: ProcessBackendOptions<R>) {}

  list(): RunningWorkload<R>[] {
    return [...this.entries.values()].map((e) => ({ ...e.state, pid: e.child?.pid }));
  }

  async apply(workloads: Workload<R>[]): Promise<void> {
    const wanted = new Map(workloads.map((w) => [w.name, w]));
    for (const name of this.skipped) if (!wanted.has(name)) this.skipped.delete(name);
    for (const [name, entry] of this.entries) {
      const next = wanted.get(name);
      if (!next || fingerprint(next) !== entry.hash) await this.remove(name);
    }
    for (const workload of workloads) {
      if (!this.entries.has(workload.name)) await this.add(workload);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((name) => this.remove(name)));
  }

  private async add(workload: Workload<R>): Promise<void> {
    if (!this.options.entries[workload.role]) {
      // Say it once per workload, not on every apply: the state is steady, not an error.
      if (!this.skipped.has(workload.name)) {
        this.skipped.add(workload.name);
        this.options.onEvent?.(
          `${workload.name}: skipped — no entry module for the ${workload.role} role on this machine`,
        );
      }
      return;
    }
    const dir = join(this.options.stateDir, 'workloads', workload.name);
    mkdirSync(dir, { recursive: true });
    const fileEnv: Record<string, string> = {};
    for (const [variable, file] of Object.entries(workload.files)) {
      const path = join(dir, file.name);
      writeFileSync(path, file.content);
      fileEnv[variable] = path;
    }
    const secretEnv: Record<string, string> = {};
    for (const [variable, ref] of Object.entries(workload.secretEnv)) {
      const value = this.options.resolveSecret?.(ref);
      if (value) secretEnv[variable] = value;
      else {
        this.options.onEvent?.(
          `${workload.name}: key ${ref.key} of Secret ${ref.namespace}/${ref.secret} not found`,
        );
      }
    }
    const logsDir = join(this.options.stateDir, 'logs');
    mkdirSync(logsDir, { recursive: true });
    const entry: Entry<R> = {
      hash: fingerprint(workload),
      stopping: false,
      state: {
        workload,
        pid: undefined,
        probePort: await freePort(),
        logFile: join(logsDir, `${workload.name}.log`),
        restarts: 0,
      },
    };
    this.entries.set(workload.name, entry);
    const env = {
      ...process.env,
      ...this.options.baseEnv,
      ...workload.env,
      ...fileEnv,
      ...secretEnv,
      HTTP_PORT: String(entry.state.probePort),
      HTTP_HOST: '127.0.0.1',
      WORKER_ID: workload.name,
      CRYPTOVIZ_PARENT_PID: String(process.pid),
    };
    this.launch(entry, env);
  }

  private launch(entry: Entry<R>, env: NodeJS.ProcessEnv): void {
    const { workload, logFile } = entry.state;
    const main = this.options.entries[workload.role];
    if (!main) throw new Error(`no entry module for the ${workload.role} role`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, nodeArguments(main, workload.role), {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    entry.child = child;
    child.once('exit', (code, signal) => {
      // A clean exit is a worker asked to stop (a terminal's Ctrl-C reaches the whole process
      // group before this backend stops it): restart only what failed.
      if (entry.stopping || code === 0) return;
      entry.state.restarts++;
      entry.restartBackoff = (entry.restartBackoff ?? RESTART_DELAYS).next(undefined);
      const delay = entry.restartBackoff.duration;
      this.options.onEvent?.(
        `${workload.name} exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000}s — see ${logFile}`,
      );
      entry.restartTimer = setTimeout(() => this.launch(entry, env), delay);
    });
  }

  private async remove(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    entry.stopping = true;
    clearTimeout(entry.restartTimer);
    const child = entry.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  }
}
