import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceRole, Workload } from '@cryptoviz/workloads';

export interface ServicePorts {
  gateway: number;
  web: number;
}

/**
 * The token mutations need, kept in a file only its owner can read: from `GATEWAY_TOKEN` if
 * set, else made once and reused, so a bookmark or script keeps working across restarts.
 */
export function gatewayToken(stateDir: string): { token: string; file?: string } {
  if (process.env.GATEWAY_TOKEN) return { token: process.env.GATEWAY_TOKEN };
  const file = join(stateDir, 'gateway-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), file };
  mkdirSync(stateDir, { recursive: true });
  const token = randomBytes(16).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file };
}

/**
 * The gateway and the dashboard as workloads of the local process backend; the compiled
 * dashboard server is told where its build is, which it cannot tell from its own location.
 */
export function planServices(
  manifestsDir: string,
  token: string,
  ports: ServicePorts,
  webBuildDir: string,
): Workload<ServiceRole>[] {
  const none = { files: {}, secretEnv: {} };
  return [
    {
      name: 'gateway',
      role: 'gateway',
      env: {
        GATEWAY_PORT: String(ports.gateway),
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_MANIFESTS: manifestsDir,
        GATEWAY_TOKEN: token,
        // Browser requests reach it through the dashboard's server.
        GATEWAY_TRUST_PROXY: 'true',
      },
      ...none,
    },
    {
      name: 'web',
      role: 'web',
      env: {
        WEB_PORT: String(ports.web),
        WEB_HOST: '127.0.0.1',
        GATEWAY_URL: `http://127.0.0.1:${ports.gateway}`,
        WEB_BUILD_DIR: webBuildDir,
      },
      ...none,
    },
  ];
}
