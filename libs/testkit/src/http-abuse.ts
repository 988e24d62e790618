import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * What a hostile or broken client may send any CryptoViz HTTP server, as raw bytes over a
 * socket (fetch would normalise a URL and refuse most of these), and what the server must
 * answer. Every surface runs the same battery: the gateway, the web server, the probes.
 */

export interface RawAnswer {
  /** The status code, or undefined when the server closed without an answer. */
  status: number | undefined;
  head: string;
  body: string;
}

/** `a number`: exactly that status; `client-error`: some 4xx; `answered`: any status < 500. */
export type Expected = number | 'client-error' | 'answered';

export interface AbuseCase {
  name: string;
  request: string | Buffer;
  expected: Expected;
}

/** Stacks, source positions and database words: none may reach a client. */
export const INTERNALS_LEAK =
  /\bat [\w.<>]+ \(|node:internal|\.ts:\d+|SQLSTATE|syntax error at|relation "|violates/;

const isHeadRequest = (request: string | Buffer) =>
  (typeof request === 'string' ? request : request.toString('latin1', 0, 5)).startsWith('HEAD ');

function isComplete(raw: Buffer, isHead: boolean): boolean {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = raw.subarray(0, end).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]);
  if (isHead || status === 204 || status === 304) return true;
  const body = raw.subarray(end + 4);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
  if (length !== undefined) return body.length >= Number(length);
  if (/\r\ntransfer-encoding: *chunked/i.test(head))
    return body.toString('latin1').endsWith('0\r\n\r\n');
  return false;
}

/** The payload of a chunked body (as much of it as arrived). */
function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const size = parseInt(body.toString('latin1', at, eol), 16);
    if (eol < 0 || !(size > 0)) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * Sends `request` byte for byte and reads one answer: until it is complete by its framing, or
 * the server closes the connection. `limitMs` only keeps a test from hanging on a server that
 * never answers (the answer is then `status: undefined`).
 */
export function rawExchange(
  port: number,
  request: string | Buffer,
  { limitMs = 20_000 }: { limitMs?: number } = {},
): Promise<RawAnswer> {
  const isHead = isHeadRequest(request);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const finish = () => {
      clearTimeout(limit);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf('\r\n\r\n');
      const head = (end < 0 ? raw : raw.subarray(0, end)).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      const body = end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4);
      resolve({
        status: status === undefined ? undefined : Number(status),
        head,
        body: (/\r\ntransfer-encoding: *chunked/i.test(head) ? dechunk(body) : body).toString(),
      });
    };
    const limit = setTimeout(finish, limitMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (isComplete(Buffer.concat(chunks), isHead)) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    // Strings are sent byte for byte (latin1), so a case can hold any byte.
    socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
  });
}

/** Why `answer` breaks the contract of `abuse`, or null when it keeps it. */
export function violation(abuse: AbuseCase, answer: RawAnswer): string | null {
  const { expected } = abuse;
  const { status, head, body } = answer;
  if (status === undefined) return 'no answer (the connection closed or hung)';
  if (status >= 500) return `a ${status}: ${body.slice(0, 200)}`;
  if (typeof expected === 'number' && status !== expected) {
    return `status ${status}, expected ${expected}: ${body.slice(0, 200)}`;
  }
  if (expected === 'client-error' && status < 400) return `status ${status}, expected a 4xx`;
  if (INTERNALS_LEAK.test(head) || INTERNALS_LEAK.test(body)) {
    return `internals leaked: ${body.slice(0, 300)}`;
  }
  if (status >= 400 && !isHeadRequest(abuse.request) && body.trim().length === 0)
    return `a ${status} with no message`;
  if (status === 405 && !/\r\nallow: *\S/i.test(head)) return 'a 405 without Allow';
  return null;
}

/** Every method a client might try: the registered ones, WebDAV's, and made-up ones. */
export const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'SEARCH',
  'REPORT',
  'PURGE',
  'LINK',
  'M-SEARCH',
  'NOTIFY',
  'SUBSCRIBE',
  'QUERY',
  'BREW',
  'get',
];

const line = (method: string, target: string, headers: string[] = [], body = '') =>
  `${method} ${target} HTTP/1.1\r\n${['host: 127.0.0.1', 'connection: close', ...headers].join('\r\n')}\r\n\r\n${body}`;

const json = (body: string) => [
  'content-type: application/json',
  `content-length: ${Buffer.byteLength(body)}`,
];

export interface Surface {
  /** A real endpoint of the server, answered with GET (`/metrics`, `/trpc/markets.latest`). */
  path: string;
  /** The methods the server answers; every other must get 405 with Allow. */
  methods: readonly string[];
  /** Whether `path` reads JSON input (a tRPC procedure): bad JSON must then get a 4xx. */
  readsJson: boolean;
}

/** The battery for one endpoint of a server. */
export function abuseCases({ path, methods, readsJson }: Surface): AbuseCase[] {
  // A body is refused with the method, or by an endpoint that reads it; others may ignore it.
  const bodyExpected: Expected = !methods.includes('POST')
    ? 405
    : readsJson
      ? 'client-error'
      : 'answered';
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const cases: AbuseCase[] = [
    { name: 'lone % in the path', request: line('GET', `${path}%`), expected: 400 },
    { name: 'bad hex escape', request: line('GET', `${path}%zz`), expected: 400 },
    {
      name: 'truncated escape in the query',
      request: line('GET', `${path}?q=%E0%A4%A`),
      expected: 400,
    },
    { name: 'overlong UTF-8 escape', request: line('GET', '/%c0%ae%c0%ae/'), expected: 400 },
    {
      name: 'absolute-form target',
      request: line('GET', `http://example.com${path}`),
      expected: 400,
    },
    { name: 'asterisk target', request: line('OPTIONS', '*'), expected: 'client-error' },
    { name: 'double slash', request: line('GET', `/${path}`), expected: 'answered' },
    { name: 'dot segments', request: line('GET', '/../../../etc/passwd'), expected: 'answered' },
    { name: 'NUL in the path', request: line('GET', '/\0'), expected: 400 },
    { name: 'space in the path', request: line('GET', '/a b'), expected: 400 },
    {
      name: 'raw non-ASCII bytes in the path',
      request: line('GET', `${path}\xff\xfe`),
      expected: 'answered',
    },
    {
      name: 'URL above the header limit',
      request: line('GET', `${path}?q=${'a'.repeat(20_000)}`),
      expected: 431,
    },
    {
      name: 'long query under the limit',
      request: line('GET', `${path}?q=${'a'.repeat(12_000)}`),
      expected: 'answered',
    },
    {
      name: 'one huge header',
      request: line('GET', path, [`x-big: ${'b'.repeat(20_000)}`]),
      expected: 431,
    },
    {
      name: 'a thousand small headers',
      request: line(
        'GET',
        path,
        Array.from({ length: 1_000 }, (_, i) => `x-h${i}: v`),
      ),
      expected: 'answered',
    },
    { name: 'NUL in a header value', request: line('GET', path, ['x-a: a\0b']), expected: 400 },
    {
      name: 'space in a header name',
      request: line('GET', path, ['bad header: x']),
      expected: 400,
    },
    { name: 'header without a colon', request: line('GET', path, ['nocolon']), expected: 400 },
    {
      name: 'Content-Length and Transfer-Encoding together',
      request: line('POST', path, ['content-length: 5', 'transfer-encoding: chunked'], '0\r\n\r\n'),
      expected: 400,
    },
    {
      name: 'two different Content-Lengths',
      request: line('POST', path, ['content-length: 1', 'content-length: 2'], 'ab'),
      expected: 400,
    },
    {
      name: 'negative Content-Length',
      request: line('POST', path, ['content-length: -1']),
      expected: 400,
    },
    {
      name: 'broken chunked body',
      request: line('POST', path, ['transfer-encoding: chunked'], 'zz\r\nhello\r\n'),
      // The framing breaks after the headers: a server may answer before it reads the body.
      expected: bodyExpected,
    },
    {
      name: 'HTTP/2 preface',
      request: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      expected: 'client-error',
    },
    {
      name: 'TLS handshake on the plain port',
      request: Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
      expected: 'client-error',
    },
    {
      name: 'HTTP/3.0 request line',
      request: `GET ${path} HTTP/3.0\r\nhost: x\r\n\r\n`,
      expected: 'client-error',
    },
    {
      name: 'HTTP/1.1 without Host',
      request: `GET ${path} HTTP/1.1\r\nconnection: close\r\n\r\n`,
      expected: 400,
    },
    {
      name: 'invalid JSON body',
      request: line('POST', path, json('{"a":'), '{"a":'),
      expected: bodyExpected,
    },
    {
      name: 'deeply nested JSON body',
      request: line('POST', path, json(deep), deep),
      expected: bodyExpected,
    },
    {
      name: 'a body of 1 MiB',
      request: line(
        'POST',
        path,
        json('"' + 'x'.repeat(1024 * 1024) + '"'),
        '"' + 'x'.repeat(1024 * 1024) + '"',
      ),
      expected: bodyExpected,
    },
    {
      name: 'invalid JSON input in the query',
      request: line('GET', `${path}?input=%7B%22a%22%3A`),
      expected: readsJson ? 'client-error' : 'answered',
    },
    {
      name: 'deeply nested JSON input in the query',
      request: line('GET', `${path}?input=${'%5B'.repeat(2_000)}${'%5D'.repeat(2_000)}`),
      expected: readsJson ? 'client-error' : 'answered',
    },
    {
      name: 'CONNECT',
      request: `CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n`,
      expected: 405,
    },
  ];
  for (const method of METHODS) {
    const allowed = methods.includes(method);
    cases.push({
      name: `method ${method}`,
      request: line(method, path),
      expected: allowed ? 'answered' : 405,
    });
  }
  return cases;
}

/**
 * Opens a request and sends one more header line every `everyMs`, never finishing the
 * header block (slowloris). Resolves when the server closes the connection, with what it
 * answered, or with `cutOff: false` once `giveUpMs` has passed with the connection still open.
 */
export function slowloris(
  port: number,
  { everyMs = 300, giveUpMs = 60_000 }: { everyMs?: number; giveUpMs?: number } = {},
): Promise<{ cutOff: boolean; status: number | undefined }> {
  return new Promise((resolve) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nhost: x\r\n'));
    let n = 0;
    const trickle = setInterval(() => socket.write(`x-slow-${n++}: ${'s'.repeat(8)}\r\n`), everyMs);
    const done = (cutOff: boolean) => {
      clearInterval(trickle);
      clearTimeout(giveUp);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      resolve({ cutOff, status: status === undefined ? undefined : Number(status) });
    };
    const giveUp = setTimeout(() => done(false), giveUpMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => done(true));
    socket.on('close', () => done(true));
  });
}

/**
 * Opens `count` connections that never send a byte. Resolves once all are connected, with
 * how many of them the server closed, counted when all are closed or `giveUpMs` has passed.
 */
export async function idleConnections(
  port: number,
  count: number,
  { giveUpMs = 60_000 }: { giveUpMs?: number } = {},
): Promise<{ closedByServer: Promise<number> }> {
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
  const closings = sockets.map(
    (socket) =>
      new Promise<boolean>((resolve) => {
        socket.once('close', () => resolve(true));
        // Read what the server says (its 408), or its end would never be seen.
        socket.resume();
      }),
  );
  let giveUp: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (giveUp = setTimeout(resolve, giveUpMs)));
  const closedByServer = Promise.race([Promise.all(closings), deadline]).then(() => {
    clearTimeout(giveUp);
    const closed = sockets.filter((socket) => socket.destroyed || socket.readableEnded).length;
    for (const socket of sockets) socket.destroy();
    return closed;
  });
  return { closedByServer };
}

/** Every broken promise of the battery on these endpoints, as `path: case: what went wrong`. */
export async function batteryViolations(
  port: number,
  surfaces: readonly Surface[],
): Promise<string[]> {
  const found: string[] = [];
  for (const surface of surfaces) {
    for (const abuse of abuseCases(surface)) {
      const problem = violation(abuse, await rawExchange(port, abuse.request));
      if (problem) found.push(`${surface.path}: ${abuse.name}: ${problem}`);
    }
  }
  return found;
}

/** Generous: what a burst allocates is garbage once it is over; a leak per request is not. */
const BURST_HEAP_GROWTH_LIMIT = 48 * 1024 * 1024;

/**
 * The battery `repeats` times over `connections` sockets at once (bodies of 64 KiB and more
 * left out, to keep it quick). What went wrong: a status that broke the contract (a 5xx, or
 * no answer), or this process's heap in use grown by more than a generous bound across it.
 */
export async function abuseBurstProblems(
  port: number,
  surfaces: readonly Surface[],
  { repeats, connections = 200 }: { repeats: number; connections?: number },
): Promise<string[]> {
  const requests = surfaces
    .flatMap((surface) => abuseCases(surface))
    .map((abuse) => abuse.request)
    .filter((raw) => raw.length < 64 * 1024);
  const before = heapInUse();
  const counts = await burst(
    port,
    Array.from({ length: repeats }, () => requests).flat(),
    connections,
  );
  const growth = heapInUse() - before;
  const problems = [...counts]
    .filter(([status]) => status === undefined || status >= 500)
    .map(([status, count]) => `${count} answered ${status ?? 'nothing'}`);
  if (growth > BURST_HEAP_GROWTH_LIMIT) {
    problems.push(`the heap grew by ${Math.round(growth / 2 ** 20)} MiB`);
  }
  return problems;
}

/** Sends `total` requests over `connections` sockets at once; counts answers by status. */
async function burst(
  port: number,
  requests: readonly (string | Buffer)[],
  connections: number,
): Promise<Map<number | undefined, number>> {
  const counts = new Map<number | undefined, number>();
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const { status } = await rawExchange(port, requests[next++]!);
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return counts;
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** This process's heap in use after a full collection: what is really held, not garbage. */
function heapInUse(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
