import { ProviderError } from '../provider.ts';
import { parseRetryAfter } from './retry-after.ts';

/** Reads a body as JSON, or undefined when it is not JSON (HTML error pages, cut-off bodies). */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Why a body that should be JSON is not, in words a user can act on. */
export function describeNonJson(text: string): string {
  const head = text.trimStart().slice(0, 200).toLowerCase();
  if (head.length === 0) return 'an empty body';
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || head.includes('<body')) {
    const title = /<title>([^<]{0,80})<\/title>/i.exec(text)?.[1]?.trim();
    return title ? `an HTML page ("${title}")` : 'an HTML page';
  }
  return `invalid JSON (starts ${JSON.stringify(text.trimStart().slice(0, 40))})`;
}

/**
 * The meaning of an HTTP status when the provider's body says nothing more specific.
 * 4xx are our mistakes (auth, config); 408/5xx are theirs and worth retrying.
 */
export function classifyStatus(
  status: number,
  headers: Headers | undefined,
  now: number,
  what: string,
): ProviderError | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status >= 300 && status < 400) {
    const location = headers?.get('location');
    const to = location ? ` to ${safeOrigin(location)}` : '';
    return new ProviderError(
      'config',
      `${what}: HTTP ${status}: redirected${to}; set the endpoint to the final URL`,
    );
  }
  const retryAfterMs = parseRetryAfter(headers?.get('retry-after'), now);
  if (status === 429) {
    return new ProviderError('rate-limited', `${what}: HTTP 429 Too Many Requests`, retryAfterMs);
  }
  if (status === 401 || status === 403) {
    return new ProviderError('auth', `${what}: HTTP ${status}: the API key is missing or refused`);
  }
  if (status === 408 || status >= 500) {
    return new ProviderError('transient', `${what}: HTTP ${status}`, retryAfterMs);
  }
  if (status === 404) return new ProviderError('config', `${what}: HTTP 404: no such endpoint`);
  return new ProviderError('config', `${what}: HTTP ${status}: the provider refused the request`);
}

/** Where a redirect points, without its path or query (a key could ride in either). */
function safeOrigin(location: string): string {
  try {
    return new URL(location).origin;
  } catch {
    return 'another location';
  }
}

/** Errors that say the provider (not our request) is unhealthy: these trip the breaker. */
export function countsAgainstProvider(error: ProviderError): boolean {
  return error.kind === 'transient' || error.kind === 'malformed';
}
