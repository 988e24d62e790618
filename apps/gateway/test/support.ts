import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '@cryptoviz/api';
import { startService, type StartedService } from '@cryptoviz/runtime';
import type { StorageFlavor } from '@cryptoviz/store';
import { openHeartbeats, putHeartbeat, type HeartbeatReport } from '@cryptoviz/bus';
import {
  createTestBus,
  createTestDatabase,
  testHeartbeat,
  type TestBus,
  type TestDatabase,
} from '@cryptoviz/testkit';
import { apiPort, gatewayService } from '../src/index.ts';

export const TOKEN = 'test-token-0123456789abcdef';

export const SAMPLE_SOURCE = `# a comment that must survive edits
apiVersion: cryptoviz.dev/v1alpha1
kind: CryptoSource
metadata: { name: sim }
spec:
  provider: synthetic
  symbols: [BTC, ETH]
  interval: 1s
---
apiVersion: v1
kind: Secret
metadata: { name: keep-me }
stringData: { apiKey: not-for-clients }
`;

export interface TestGateway {
  db: TestDatabase;
  bus: TestBus;
  service: StartedService;
  manifests: string;
  url: string;
  client: ReturnType<typeof createTRPCClient<AppRouter>>;
  stop(): Promise<void>;
}

/** A gateway on its own database (of the given storage flavor), stream namespace and manifest folder. */
export async function startTestGateway(
  env: Record<string, string> = {},
  flavor: StorageFlavor = 'postgresql',
): Promise<TestGateway> {
  const db = await createTestDatabase(flavor);
  const bus = await createTestBus();
  const manifests = mkdtempSync(join(tmpdir(), 'gateway-manifests-'));
  writeFileSync(join(manifests, 'source-sim.yaml'), SAMPLE_SOURCE);
  const service = await startService(gatewayService, {
    NATS_URL: bus.url,
    CRYPTOVIZ_NAMESPACE: bus.topo.namespace,
    DATABASE_URL: db.url,
    HTTP_PORT: '0',
    GATEWAY_PORT: '0',
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_TOKEN: TOKEN,
    GATEWAY_MANIFESTS: manifests,
    GATEWAY_CORS_ORIGINS: 'http://allowed.example',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const url = `http://127.0.0.1:${apiPort(service)}`;
  return {
    db,
    bus,
    service,
    manifests,
    url,
    client: createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc` })] }),
    async stop() {
      await service.stop();
      await bus.drop();
      await db.drop();
    },
  };
}

/** A writer's or fetcher's heartbeat in the gateway's bucket, of a worker started an hour ago. */
export async function putWorkerBeat(
  gw: TestGateway,
  role: 'writer' | 'fetcher',
  beat: {
    id: string;
    resource?: string;
    lastSeen?: string;
    details?: Partial<HeartbeatReport<'fetcher'>['details']>;
  },
): Promise<void> {
  const kv = await openHeartbeats(gw.bus.js, gw.bus.topo);
  const startedAt = new Date(Date.now() - 3_600_000).toISOString();
  await putHeartbeat(kv, testHeartbeat(role, { startedAt, ...beat }));
}

/** A client that presents a bearer token (or a wrong one). */
export function clientWithToken(url: string, token: string): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${token}` } })],
  });
}

/** The tRPC error a call failed with (fails the test if it succeeded). */
export async function failure(call: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await call;
  } catch (err) {
    if (err instanceof TRPCClientError) return err as TRPCClientError<AppRouter>;
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** Raw HTTP, for inputs the typed client would not let a test send. */
export async function rawQuery(url: string, procedure: string, input: unknown) {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${url}/trpc/${procedure}${query}`);
  return { status: response.status, body: await response.text() };
}

export async function rawMutation(url: string, procedure: string, input: unknown, token?: string) {
  const response = await fetch(`${url}/trpc/${procedure}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: await response.text() };
}
