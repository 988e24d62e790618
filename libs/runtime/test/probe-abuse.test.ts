import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  abuseBurstProblems,
  batteryViolations,
  idleConnections,
  rawExchange,
  slowloris,
  type Surface,
} from '@cryptoviz/testkit/http-abuse';
import { startService, type StartedService } from '../src/index.ts';

const SURFACES: Surface[] = ['/healthz', '/readyz', '/metrics'].map((path) => ({
  path,
  methods: ['GET', 'HEAD'],
  readsJson: false,
}));

describe('probe server under abuse', () => {
  let service: StartedService;
  let port: number;
  beforeAll(async () => {
    service = await startService(
      {
        name: 'probe-abuse',
        env: {},
        start: async () => ({ isReady: () => true, stop: async () => {} }),
      },
      {
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        HTTP_HEADERS_TIMEOUT_S: '2',
        LOG_LEVEL: 'silent',
      },
    );
    port = service.probe.port;
  });
  afterAll(async () => {
    await service.stop();
  });

  const healthy = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;

  it('answers every malformed request, method and size with a 4xx and a message', async () => {
    expect(await batteryViolations(port, SURFACES)).toEqual([]);
    expect(await healthy()).toBe(200);
  });

  it('names the allowed methods in a 405', async () => {
    const answer = await rawExchange(
      port,
      'TRACE /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    expect(answer.status).toBe(405);
    expect(answer.head).toMatch(/\r\nallow: GET, HEAD/i);
    expect(JSON.parse(answer.body)).toEqual({
      error: { message: 'method TRACE is not allowed; use GET, HEAD' },
    });
  });

  it('cuts off a client that trickles its headers, and keeps serving others', async () => {
    const loris = await slowloris(port);
    expect(loris).toEqual({ cutOff: true, status: 408 });
    expect(await healthy()).toBe(200);
  });

  it('serves beside many silent connections, and closes them at the header deadline', async () => {
    const { closedByServer } = await idleConnections(port, 500);
    expect(await healthy()).toBe(200);
    expect(await closedByServer).toBe(500);
  });

  it('holds its memory through a burst of abuse over many connections', async () => {
    expect(await abuseBurstProblems(port, SURFACES, { repeats: 10 })).toEqual([]);
    expect(await healthy()).toBe(200);
  });
});
