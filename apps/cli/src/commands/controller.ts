import type { Command } from 'commander';
import { runService } from '@cryptoviz/runtime';
import { controllerService } from '@cryptoviz/controller';

export function register(program: Command): void {
  program
    .command('controller')
    .description(
      'run the operator out of cluster against $KUBECONFIG (settings from the environment: ' +
        'WATCH_NAMESPACE, NATS_URL, CRYPTOVIZ_NAMESPACE, WORKER_IMAGE, …; see docs/OPERATOR.md)',
    )
    .action(async () => {
      await runService(controllerService);
    });
}
