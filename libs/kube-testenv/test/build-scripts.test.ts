import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureCoreDns, ensureNodeBinaries, ensurePause } from '../src/index.ts';

/** A cold build of kubelet, kube-scheduler and kube-proxy takes 12-40 minutes on two cores. */
const BUILD_TIMEOUT_MS = 60 * 60_000;
const k8sDev = join(import.meta.dirname, '../../../k8s-dev');

interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runScript(script: string, args: string[] = []): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(k8sDev, script), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectExecutable(path: string): void {
  expect(() => accessSync(path, constants.X_OK), path).not.toThrow();
  expect(statSync(path).isFile(), path).toBe(true);
}

/**
 * Once a binary is cached, asking again prints the same path and builds nothing: no Go output,
 * the file untouched.
 */
async function expectCachedRun(script: string, args: string[], printed: string, files: string[]) {
  const before = files.map((file) => statSync(file).mtimeMs);
  const again = await runScript(script, args);
  expect(again).toEqual({ code: 0, stdout: `${printed}\n`, stderr: '' });
  expect(files.map((file) => statSync(file).mtimeMs)).toEqual(before);
}

describe('k8s-dev build scripts', () => {
  it(
    'build-pause.sh: a static pause, then the same path without a build',
    async () => {
      const pause = await ensurePause();
      expectExecutable(pause);
      await expectCachedRun('build-pause.sh', [], pause, [pause]);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'build-coredns.sh: CoreDNS with the chosen plugins only, then the same path without a build',
    async () => {
      const coredns = await ensureCoreDns();
      expectExecutable(coredns);
      const plugins = await new Promise<string>((resolve, reject) => {
        const child = spawn(coredns, ['-plugins'], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.once('error', reject);
        child.once('exit', () => resolve(out));
      });
      const registered = plugins.split('\n').filter(Boolean);
      expect(registered).toEqual(
        expect.arrayContaining(['kubernetes', 'cache', 'errors', 'health', 'ready', 'loop']),
      );
      // No way out of the cluster, and none of the cloud back ends upstream's build carries.
      for (const plugin of ['forward', 'grpc', 'route53', 'azure', 'clouddns', 'etcd']) {
        expect(registered).not.toContain(plugin);
      }
      await expectCachedRun('build-coredns.sh', [], coredns, [coredns]);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'build-control-plane.sh: the six node binaries, then the same folder without a build',
    async () => {
      const binaries = await ensureNodeBinaries();
      const paths = Object.values(binaries);
      expect(paths).toHaveLength(6);
      for (const path of paths) expectExecutable(path);
      const names = ['etcd', 'kube-apiserver', 'kube-controller-manager'];
      names.push('kube-scheduler', 'kubelet', 'kube-proxy');
      const folder = join(binaries.kubelet, '..');
      expect(paths.sort()).toEqual(names.map((name) => join(folder, name)).sort());
      await expectCachedRun('build-control-plane.sh', names, folder, paths);
    },
    BUILD_TIMEOUT_MS,
  );

  it('build-control-plane.sh names an unknown binary and builds nothing', async () => {
    const run = await runScript('build-control-plane.sh', ['kubectl-typo']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown binary 'kubectl-typo'");
    expect(run.stdout).toBe('');
  });
});
