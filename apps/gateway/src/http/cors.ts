import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from '@cryptoviz/runtime';

const ALLOWED_HEADERS = 'authorization, content-type, last-event-id, trpc-accept, x-trpc-source';

/**
 * CORS for browsers on other origins. `origins` is the allow-list (`*` for any); an origin
 * not on it gets no CORS headers, so its browser refuses to read the answer.
 * Returns true when the request was a preflight and has been answered.
 */
export function handleCors(
  req: IncomingMessage,
  res: ServerResponse,
  origins: readonly string[],
): boolean {
  const origin = req.headers.origin;
  const allowed =
    origin !== undefined && (origins.includes('*') || origins.includes(origin)) ? origin : null;
  if (allowed) {
    res.setHeader('access-control-allow-origin', origins.includes('*') ? '*' : allowed);
    res.setHeader('vary', 'origin');
  }
  if (req.method !== 'OPTIONS') return false;
  if (allowed) {
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
    res.setHeader('access-control-max-age', '600');
  }
  if (allowed) res.writeHead(204).end();
  else sendError(res, 403, 'cross-origin requests from this origin are not allowed');
  return true;
}
