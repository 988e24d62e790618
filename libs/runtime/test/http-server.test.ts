import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { rawExchange } from '@cryptoviz/testkit/http-abuse';
import { HttpError, serveHttp, type Listening, type RequestHandler } from '../src/index.ts';

/** A logger whose lines the test reads. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines };
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`;

describe('a guarded HTTP server', () => {
  const servers: Listening[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function serve(handle: RequestHandler) {
    const { log, lines } = capturingLogger();
    const server = await serveHttp({
      host: '127.0.0.1',
      port: 0,
      headersTimeoutMs: 2_000,
      log,
      methods: ['GET'],
      handle,
    });
    servers.push(server);
    return { port: server.port, lines };
  }

  it('answers a handler that throws or rejects with a 500 and a message, and logs the cause', async () => {
    const { port, lines } = await serve(async (req, res) => {
      if (req.url === '/throws') throw new Error('boom: select * from secrets');
      if (req.url === '/rejects') return Promise.reject(new TypeError('late boom'));
      await Promise.resolve();
      res.end('fine');
    });
    for (const path of ['/throws', '/rejects']) {
      const answer = await rawExchange(port, get(path));
      expect(answer.status, path).toBe(500);
      expect(JSON.parse(answer.body)).toEqual({
        error: { message: 'internal error: the request failed' },
      });
    }
    expect((await rawExchange(port, get('/fine'))).body).toBe('fine');
    const failures = lines.filter((line) => line.msg === 'request handler failed');
    expect(failures.map((line) => line.path)).toEqual(['/throws', '/rejects']);
    expect(JSON.stringify(failures)).toContain('late boom');
  });

  it('answers an HttpError with its status, message and headers, and logs nothing', async () => {
    const { port, lines } = await serve(() => {
      throw new HttpError(429, 'slow down', { 'retry-after': '3' });
    });
    const answer = await rawExchange(port, get('/'));
    expect(answer.status).toBe(429);
    expect(answer.head).toMatch(/\r\nretry-after: 3\r\n/i);
    expect(JSON.parse(answer.body)).toEqual({ error: { message: 'slow down' } });
    expect(lines.filter((line) => line.msg === 'request handler failed')).toEqual([]);
  });

  it('cuts the connection when a handler fails after its answer began', async () => {
    const { port } = await serve(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      await Promise.resolve();
      throw new Error('mid-answer');
    });
    const answer = await rawExchange(port, get('/'));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('partial');
    expect((await rawExchange(port, get('/'))).status).toBe(200);
  });
});
