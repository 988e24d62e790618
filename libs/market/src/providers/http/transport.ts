import { ProviderError } from '../provider.ts';

/** A response read in full, within the size cap. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface TransportOptions {
  timeoutMs: number;
  maxBodyBytes: number;
}

/** Raised when the caller's own signal aborts: not a provider failure, never retried. */
export class CallerAbortedError extends Error {
  override name = 'CallerAbortedError';
}

/**
 * One GET: times out as a whole (headers and body), refuses bodies over the cap without
 * buffering them, and turns every failure into a ProviderError. Messages name the path,
 * never the query string or headers, where a credential could hide.
 */
export async function fetchOnce(
  url: URL,
  headers: Record<string, string>,
  options: TransportOptions,
  signal: AbortSignal,
): Promise<RawResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  const where = `GET ${url.pathname}`;
  const failure = (error: unknown): Error => {
    if (signal.aborted) return new CallerAbortedError(`${where} aborted by the caller`);
    if (timeout.aborted) {
      return new ProviderError('transient', `${where} timed out after ${options.timeoutMs} ms`);
    }
    return error instanceof ProviderError ? error : networkError(where, error);
  };

  let response: Response;
  try {
    // A redirect would carry the key headers to wherever it points: never follow one.
    response = await fetch(url, { headers, signal: combined, redirect: 'manual' });
  } catch (error) {
    throw failure(error);
  }
  try {
    const text = await readCapped(response, options.maxBodyBytes, where);
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    if (error instanceof ProviderError || signal.aborted || timeout.aborted) throw failure(error);
    // The connection closed before the declared body arrived.
    throw new ProviderError(
      'malformed',
      `${where}: response body was cut off (${describe(error)})`,
    );
  }
}

async function readCapped(response: Response, maxBytes: number, where: string): Promise<string> {
  const tooBig = (bytes: number) =>
    new ProviderError(
      'malformed',
      `${where}: response body of ${bytes}+ bytes exceeds the ${maxBytes}-byte cap`,
    );
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooBig(declared);
  }
  if (!response.body) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooBig(total);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function networkError(where: string, error: unknown): ProviderError {
  return new ProviderError('transient', `${where} failed: ${describe(error)}`);
}

/** The error and its cause's code (ECONNREFUSED, UND_ERR_SOCKET, …), which fetch hides. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : cause?.message;
  return detail ? `${error.message} (${String(detail)})` : error.message;
}
