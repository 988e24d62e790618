import { resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultStateDir } from '@cryptoviz/devenv';
import {
  readDetachedControlPlane,
  startControlPlane,
  stopDetachedControlPlane,
} from '@cryptoviz/kube-testenv';

const say = (line: string) => process.stdout.write(`${line}\n`);

function controlPlaneDir(stateDir: string): string {
  return resolve(stateDir, 'control-plane');
}

export function register(program: Command): void {
  const group = program
    .command('control-plane')
    .description('a local kube-apiserver + etcd (no Docker) for trying the CRDs by hand');
  group
    .command('up')
    .description(
      'start it in the background (builds the binaries on first use) and print KUBECONFIG',
    )
    .option('--state-dir <dir>', 'where local data and logs live', defaultStateDir())
    .action(async (options: { stateDir: string }) => {
      const dir = controlPlaneDir(options.stateDir);
      const existing = readDetachedControlPlane(dir);
      if (existing?.running) {
        say(`already running: ${existing.server}`);
        say(`KUBECONFIG=${existing.kubeconfigPath}`);
        return;
      }
      try {
        const plane = await startControlPlane({
          dir,
          detached: true,
          log: (line) => process.stderr.write(`• ${line}\n`),
        });
        say(`kube-apiserver ${plane.server} with the CryptoViz CRDs installed`);
        say(`KUBECONFIG=${plane.kubeconfigPath}`);
        say('stop it with: npx cryptoviz control-plane down');
        // The servers are detached; let this process end without stopping them.
        process.exit(0);
      } catch (err) {
        process.stderr.write(`cryptoviz control-plane up: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
  group
    .command('down')
    .description('stop the background control plane')
    .option('--state-dir <dir>', 'where local data and logs live', defaultStateDir())
    .action(async (options: { stateDir: string }) => {
      const stopped = await stopDetachedControlPlane(controlPlaneDir(options.stateDir));
      say(stopped ? 'control plane stopped' : 'no control plane was running');
    });
}
