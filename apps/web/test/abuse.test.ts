import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  abuseBurstProblems,
  batteryViolations,
  rawExchange,
  slowloris,
  type Surface,
} from '@cryptoviz/testkit/http-abuse';
import { startBackend, startDashboard, type Backend, type Dashboard } from './stack.ts';

/** Pages are only read; POST is forwarded to the gateway under /trpc/. */
const SURFACES: Surface[] = [
  { path: '/', methods: ['GET', 'HEAD'], readsJson: false },
  { path: '/trpc/markets.latest', methods: ['GET', 'HEAD', 'POST'], readsJson: true },
  { path: '/healthz', methods: ['GET', 'HEAD'], readsJson: false },
];

/** Reads a live stream until `want` appears in what arrives from now on. */
async function nextEventLike(
  reader: ReadableStreamDefaultReader<string>,
  want: RegExp,
): Promise<void> {
  let seen = '';
  while (!want.test(seen)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended; it had sent: ${seen.slice(-200)}`);
    seen += value;
  }
}

describe('web server under abuse', () => {
  let backend: Backend;
  let dashboard: Dashboard;
  let port: number;
  beforeAll(async () => {
    backend = await startBackend();
    const quick = { HTTP_HEADERS_TIMEOUT_S: '2' };
    dashboard = await startDashboard(
      backend,
      { ...quick, GATEWAY_RATE_LIMIT_PER_MIN: '10000000' },
      quick,
    );
    port = Number(new URL(dashboard.url).port);
  });
  afterAll(async () => {
    await dashboard.stop();
    await backend.stop();
  });

  const healthy = async () => (await fetch(`${dashboard.url}/healthz`)).status;

  it('answers malformed escapes with 400 and other methods with 405 and Allow', async () => {
    for (const target of ['/%', '/trpc/%', '/trpc/markets.latest%E0%A4%A']) {
      const answer = await rawExchange(
        port,
        `GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`,
      );
      expect(answer.status, target).toBe(400);
      expect(answer.body).toContain('malformed percent-escape');
    }
    const trace = await rawExchange(
      port,
      'TRACE / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    expect(trace.status).toBe(405);
    expect(trace.head).toMatch(/\r\nallow: GET, HEAD, POST\r\n/i);
  });

  it('answers every malformed request, method and size with a 4xx and a message', async () => {
    expect(await batteryViolations(port, SURFACES)).toEqual([]);
    expect(await healthy()).toBe(200);
  });

  it('cuts off a client that trickles its headers, but not a live stream it forwards', async () => {
    const abort = new AbortController();
    const response = await fetch(`${dashboard.url}/trpc/live.health`, {
      headers: { accept: 'text/event-stream' },
      signal: abort.signal,
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    try {
      expect(response.status).toBe(200);
      await nextEventLike(reader, /\n\n/);
      const loris = await slowloris(port);
      expect(loris).toEqual({ cutOff: true, status: 408 });
      // The stream outlived the header deadline that cut the slow client off, and still flows.
      await nextEventLike(reader, /event: ping/);
    } finally {
      abort.abort();
    }
    expect(await healthy()).toBe(200);
  });

  it('holds its memory through a burst of abuse over many connections', async () => {
    expect(await abuseBurstProblems(port, SURFACES, { repeats: 5 })).toEqual([]);
    expect(await healthy()).toBe(200);
  });
});
