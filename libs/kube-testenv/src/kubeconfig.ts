import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';

/**
 * A kubeconfig for the admin user (static token), trusting the API server's own cert;
 * `tlsServerName` when the server is reached at an address its cert does not name (a relay).
 */
export function renderKubeconfig(
  server: string,
  token: string,
  caFile: string,
  tlsServerName?: string,
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'cryptoviz-dev',
        cluster: {
          server,
          'certificate-authority-data': readFileSync(caFile).toString('base64'),
          ...(tlsServerName ? { 'tls-server-name': tlsServerName } : {}),
        },
      },
    ],
    users: [{ name: 'admin', user: { token } }],
    contexts: [
      {
        name: 'cryptoviz-dev',
        context: { cluster: 'cryptoviz-dev', user: 'admin', namespace: 'default' },
      },
    ],
    'current-context': 'cryptoviz-dev',
  });
}
