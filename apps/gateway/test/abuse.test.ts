import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  abuseBurstProblems,
  batteryViolations,
  idleConnections,
  rawExchange,
  slowloris,
  type Surface,
} from '@cryptoviz/testkit/http-abuse';
import { apiPort } from '../src/index.ts';
import { openSse } from './sse-client.ts';
import { startTestGateway, type TestGateway } from './support.ts';

const METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'];
const SURFACES: Surface[] = [
  { path: '/trpc/markets.latest', methods: METHODS, readsJson: true },
  { path: '/trpc/resources.create', methods: METHODS, readsJson: true },
  { path: '/healthz', methods: METHODS, readsJson: false },
];

const request = (method: string, target: string) =>
  `${method} ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`;

describe('gateway under abuse', () => {
  let gw: TestGateway;
  let port: number;
  beforeAll(async () => {
    gw = await startTestGateway({
      HTTP_HEADERS_TIMEOUT_S: '2',
      // The battery is many requests from one address; the rate limit is tested elsewhere.
      GATEWAY_RATE_LIMIT_PER_MIN: '10000000',
    });
    port = apiPort(gw.service);
  });
  afterAll(async () => {
    await gw.stop();
  });

  const healthy = async () => (await fetch(`${gw.url}/trpc/markets.latest`)).status;

  it('answers a malformed percent-escape with 400 and keeps serving', async () => {
    for (const target of ['/trpc/%', '/trpc/%E0%A4%A', '/trpc/markets.latest%2', '/%']) {
      const answer = await rawExchange(port, request('GET', target));
      expect(answer.status, target).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({
        error: { message: 'the request URL has a malformed percent-escape' },
      });
    }
    expect(await healthy()).toBe(200);
  });

  it('answers TRACE and every other unsupported method with 405 and Allow', async () => {
    for (const method of ['TRACE', 'PUT', 'DELETE', 'PATCH', 'PROPFIND']) {
      const answer = await rawExchange(port, request(method, '/trpc/markets.latest'));
      expect(answer.status, method).toBe(405);
      expect(answer.head, method).toMatch(/\r\nallow: GET, HEAD, POST, OPTIONS\r\n/i);
      expect(answer.body, method).toContain(`method ${method} is not allowed`);
    }
  });

  it('answers every malformed request, method and size with a 4xx and a message', async () => {
    expect(await batteryViolations(port, SURFACES)).toEqual([]);
    expect(await healthy()).toBe(200);
  });

  it('cuts off a client that trickles its headers, but not a live stream', async () => {
    const stream = await openSse(`${gw.url}/trpc/live.health`);
    try {
      expect(stream.status).toBe(200);
      const loris = await slowloris(port);
      expect(loris).toEqual({ cutOff: true, status: 408 });
      // The stream outlived the header deadline that cut the slow client off, and still flows.
      await stream.nextPing(20_000);
    } finally {
      stream.close();
    }
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
