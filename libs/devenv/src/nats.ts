import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

export interface NatsHandle {
  url: string;
  origin: 'NATS_URL' | 'localhost' | 'nats-server';
  stop(): Promise<void>;
}

const LOCAL_URL = 'nats://127.0.0.1:4222';
const SPAWNED_PORT = 4223;

/** Built from the Go module proxy when no binary is installed and Go is. */
export const NATS_SERVER_VERSION = 'v2.12.15';
const NATS_SERVER_MODULE = 'github.com/nats-io/nats-server/v2';

export const HOW_TO_GET_NATS = [
  'CryptoViz needs a NATS server with JetStream and found none, nor Go to build one. Either:',
  '  • set NATS_URL to a server started with JetStream (-js), or',
  '  • install one: `apt-get install nats-server` (Debian/Ubuntu), `brew install nats-server` (macOS),',
  '    or install Go (https://go.dev/dl) and CryptoViz builds nats-server itself,',
  '    then run this command again: it starts the binary for you.',
].join('\n');

/** Where a nats-server built here is kept, once per machine and version. */
export function natsBuildDir(env: NodeJS.ProcessEnv): string {
  const cache = env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache');
  return join(cache, 'cryptoviz', 'nats-server', NATS_SERVER_VERSION);
}

/** The Go toolchain: `GO` if set (it must exist), else on PATH or in /usr/local/go. */
function findGo(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GO) return existsSync(env.GO) ? env.GO : undefined;
  return [...(env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/local/go/bin']
    .map((dir) => join(dir, 'go'))
    .find((path) => existsSync(path));
}

/** `go install` of a pinned nats-server into the cache; undefined when there is no Go. */
async function buildNatsServer(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<string | undefined> {
  const go = findGo(env);
  if (!go) return undefined;
  const dir = natsBuildDir(env);
  log(`building nats-server ${NATS_SERVER_VERSION} with ${go} into ${dir} (once; a minute or two)`);
  await promisify(execFile)(go, ['install', `${NATS_SERVER_MODULE}@${NATS_SERVER_VERSION}`], {
    env: { ...process.env, ...env, GOBIN: dir, CGO_ENABLED: '0' },
    timeout: 20 * 60_000,
  }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`building nats-server with Go failed: ${err.stderr || err.message}`);
  });
  return join(dir, 'nats-server');
}

/** 'no-server' when nothing answers; 'no-jetstream' when a server answers without JetStream. */
export async function probeNats(url: string): Promise<'ok' | 'no-server' | 'no-jetstream'> {
  let nc;
  try {
    nc = await connect({ servers: url, timeout: 2_000, maxReconnectAttempts: 0 });
  } catch {
    return 'no-server';
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: 2_000 });
    await jsm.getAccountInfo();
    return 'ok';
  } catch {
    return 'no-jetstream';
  } finally {
    await nc.close();
  }
}

/**
 * Where a nats-server binary may be: PATH, Debian's /usr/sbin, Go's install folder, and the
 * cache a build of ours goes to.
 */
export function natsSearchDirs(env: NodeJS.ProcessEnv): string[] {
  return [
    ...(env.PATH ?? '').split(delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    ...(env.GOPATH ? [join(env.GOPATH, 'bin')] : []),
    ...(env.HOME ? [join(env.HOME, 'go', 'bin')] : []),
    natsBuildDir(env),
  ].filter(Boolean);
}

function findNatsServerBinary(env: NodeJS.ProcessEnv, dirs: string[]): string | undefined {
  if (env.NATS_SERVER_BIN) return existsSync(env.NATS_SERVER_BIN) ? env.NATS_SERVER_BIN : undefined;
  return dirs.map((dir) => join(dir, 'nats-server')).find((path) => existsSync(path));
}

async function waitFor(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
    if ((await probeNats(url)) === 'ok') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`nats-server did not answer on ${url} within ${timeoutMs} ms`);
}

/**
 * `NATS_URL` if set (it must work), else a JetStream server on localhost:4222, else a
 * `nats-server` binary — installed, or built here with Go — started with JetStream and its
 * store under `stateDir`; else an error saying how to get one.
 */
export async function findOrStartNats(
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = () => {},
  where: { localUrl?: string; spawnPort?: number; searchDirs?: string[] } = {},
): Promise<NatsHandle> {
  const localUrl = where.localUrl ?? LOCAL_URL;
  const spawnPort = where.spawnPort ?? SPAWNED_PORT;
  const noop = async () => {};
  if (env.NATS_URL) {
    const state = await probeNats(env.NATS_URL);
    if (state !== 'ok') {
      throw new Error(
        state === 'no-server'
          ? 'NATS_URL is set but no NATS server answers there'
          : 'NATS_URL answers but JetStream is not enabled there (start nats-server with -js)',
      );
    }
    return { url: env.NATS_URL, origin: 'NATS_URL', stop: noop };
  }
  const local = await probeNats(localUrl);
  if (local === 'ok') return { url: localUrl, origin: 'localhost', stop: noop };
  if (local === 'no-jetstream')
    log('a NATS server on localhost:4222 has no JetStream; not using it');

  const spawnedUrl = `nats://127.0.0.1:${spawnPort}`;
  if ((await probeNats(spawnedUrl)) === 'ok') {
    return { url: spawnedUrl, origin: 'nats-server', stop: noop };
  }
  const binary = await natsServerBinary(env, log, where.searchDirs);
  const storeDir = join(stateDir, 'nats');
  log(`starting ${binary} with JetStream on ${spawnedUrl} (store in ${storeDir})`);
  const child = spawnNatsServer(binary, spawnPort, storeDir, join(stateDir, 'nats-server.log'));
  await waitFor(spawnedUrl, child, 10_000);
  return { url: spawnedUrl, origin: 'nats-server', stop: () => stopChild(child) };
}

/** An installed nats-server, else one built here with Go, else an error saying how to get one. */
export async function natsServerBinary(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = () => {},
  searchDirs = natsSearchDirs(env),
): Promise<string> {
  const binary =
    findNatsServerBinary(env, searchDirs) ??
    (env.NATS_SERVER_BIN ? undefined : await buildNatsServer(env, log));
  if (!binary) throw new Error(HOW_TO_GET_NATS);
  return binary;
}

function spawnNatsServer(binary: string, port: number, storeDir: string, logPath: string) {
  mkdirSync(storeDir, { recursive: true });
  const logFile = openSync(logPath, 'a');
  return spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    stdio: ['ignore', logFile, logFile],
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** A nats-server of the caller's own, which it may crash and start again on the same store. */
export interface OwnNats {
  url: string;
  storeDir: string;
  readonly pid: number | undefined;
  /** SIGKILL: no shutdown, JetStream recovers its store at the next start. */
  crash(): Promise<void>;
  /** Starts it again on the same port and store; resolves once JetStream answers. */
  start(): Promise<void>;
  /** Stops it; a store it made itself (no `storeDir` given) goes too. */
  stop(): Promise<void>;
}

/** For tests and benchmarks that take NATS away, never touching a server others share. */
export async function startOwnNats(options: {
  port: number;
  /** JetStream store; default: a new temp dir. */
  storeDir?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<OwnNats> {
  const binary = await natsServerBinary(options.env);
  const ownStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'own-nats-'));
  const url = `nats://127.0.0.1:${options.port}`;
  let child: ChildProcess | undefined;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const start = async () => {
    if (running()) return;
    child = spawnNatsServer(binary, options.port, storeDir, join(storeDir, 'nats-server.log'));
    await waitFor(url, child, 20_000);
  };
  await start();
  return {
    url,
    storeDir,
    get pid() {
      return running() ? child?.pid : undefined;
    },
    crash: async () => {
      if (running()) await stopChild(child!, 'SIGKILL');
    },
    start,
    stop: async () => {
      if (running()) await stopChild(child!);
      if (ownStore) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
