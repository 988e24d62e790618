import { request, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { HttpError, sendError } from '@cryptoviz/runtime';

/** Hop-by-hop headers end at each hop (RFC 9110 §7.6.1); the rest pass through untouched. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
]);

/**
 * Claims about who the client is. This server is the edge, so whatever a browser sends here is
 * its own say-so: the gateway trusts these headers from us and keys its rate limit on them.
 */
const CLIENT_CLAIMS = new Set(['forwarded', 'x-real-ip']);
const isClientClaim = (name: string) => CLIENT_CLAIMS.has(name) || name.startsWith('x-forwarded-');

/**
 * Forwards one request to the gateway and streams the answer back, SSE included (bytes are
 * piped as they come, so live events are not held). The browser talks to one origin; the
 * gateway sees the client's address in X-Forwarded-For for its rate limit.
 */
export function proxyToGateway(gateway: URL, req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !isClientClaim(name)) {
      headers[name] = value;
    }
  }
  // Replaced, never appended to: the gateway takes the first entry, which a browser could
  // otherwise choose for itself and so pick its own rate-limit identity.
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';

  let upstream: ClientRequest;
  try {
    upstream = request(
      {
        protocol: gateway.protocol,
        hostname: gateway.hostname,
        port: gateway.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (answer) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, out);
        res.flushHeaders();
        answer.pipe(res);
        // The gateway going away mid-answer (stopped, restarted, crashed) cuts the browser's
        // answer too: an SSE stream otherwise stays open but silent, and never reconnects.
        answer.on('close', () => {
          if (!answer.complete) res.destroy();
        });
      },
    );
  } catch (err) {
    // Node's client is stricter about paths and header values than its server's parser.
    throw new HttpError(400, `the request cannot be forwarded: ${(err as Error).message}`);
  }
  upstream.on('error', () => {
    if (!res.headersSent) {
      sendError(res, 502, 'the gateway is not reachable');
    } else {
      res.destroy();
    }
  });
  // A browser leaving (closing an SSE stream) ends the upstream request, and its consumer.
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}
