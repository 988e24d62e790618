import type { IncomingMessage } from 'node:http';

/**
 * Who is asking, for rate limits and logs: the socket's peer, or the first X-Forwarded-For
 * hop when the gateway sits behind a proxy we trust (anyone can forge that header otherwise).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return req.socket.remoteAddress ?? 'unknown';
}
