import { resourceKeyOf, resourceLabel, type Resource } from '@cryptoviz/resources';
import { redactUrlPassword } from '@cryptoviz/runtime';
import type { RunningWorkload } from '@cryptoviz/workloads';
import type { Say } from './progress.ts';

export interface UpSummary {
  databaseUrl: string;
  postgres: { origin: string };
  flavor: string;
  nats: { url: string; origin: string };
  manifestsDir: string;
  resources: readonly Resource[];
  services: readonly RunningWorkload<string>[];
  workers: readonly RunningWorkload<string>[];
  isReady: (workload: string) => boolean;
  dashboardUrl: string;
  apiUrl: string;
  tokenFile: string | undefined;
}

/** What is up and where: the servers, the manifests, every workload, the URLs and the token. */
export function sayUpSummary(say: Say, up: UpSummary): void {
  // As a person types them back: the name alone in `default`, `namespace/name` elsewhere.
  const names = (kind: string) =>
    up.resources.filter((r) => r.kind === kind).map((r) => resourceLabel(resourceKeyOf(r)));
  const models = names('PredictionModel');

  say('');
  say('CryptoViz is up.');
  say(`  PostgreSQL  ${redactUrlPassword(up.databaseUrl)}  (${up.postgres.origin}, ${up.flavor})`);
  say(`  NATS        ${up.nats.url}  (${up.nats.origin})`);
  say(
    `  Manifests   ${up.manifestsDir}: ${names('CryptoSource').join(', ') || 'no sources'}${models.length > 0 ? `; models: ${models.join(', ')}` : ''}`,
  );
  say('');
  say(
    `  ${'workload'.padEnd(32)} ${'pid'.padEnd(8)} ${'state'.padEnd(9)} ${'metrics & health'.padEnd(28)} log`,
  );
  for (const running of up.services) {
    say(row(running, 'answers'));
  }
  for (const running of up.workers) {
    say(row(running, up.isReady(running.workload.name) ? 'ready' : 'starting'));
  }
  say('');
  say(`  Dashboard   ${up.dashboardUrl}`);
  say(`  API         ${up.apiUrl}/trpc`);
  say(
    `  Token       for creating and editing sources and models: ${up.tokenFile ? `in ${up.tokenFile}` : 'GATEWAY_TOKEN'}`,
  );
  say('');
  say('Press Ctrl-C to stop.');
}

function row(running: RunningWorkload<string>, state: string): string {
  return `  ${running.workload.name.padEnd(32)} ${String(running.pid ?? '-').padEnd(8)} ${state.padEnd(9)} ${`http://127.0.0.1:${running.probePort}`.padEnd(28)} ${running.logFile}`;
}
