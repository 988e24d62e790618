import { formatIssues } from '@cryptoviz/resources';
import type { z } from 'zod';

/** A message of one record (a forecast, a heartbeat) is well under 1 KB; this is garbage. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Parses a message body as JSON within a size bound. Never throws. */
export function parseJsonMessage(data: Uint8Array, maxBytes = MAX_MESSAGE_BYTES): Decoded<unknown> {
  if (data.byteLength > maxBytes) {
    return { ok: false, reason: `oversized: ${data.byteLength} bytes exceeds ${maxBytes}` };
  }
  try {
    return { ok: true, value: JSON.parse(decoder.decode(data)) as unknown };
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
}

/**
 * Decodes and validates one message. Never throws: a bad message is a value with a reason,
 * so a consumer can dead-letter it and carry on.
 */
export function decodeJson<S extends z.ZodType>(
  schema: S,
  data: Uint8Array,
  maxBytes = MAX_MESSAGE_BYTES,
): Decoded<z.output<S>> {
  const parsed = parseJsonMessage(data, maxBytes);
  if (!parsed.ok) return parsed;
  const result = schema.safeParse(parsed.value);
  if (!result.success) return { ok: false, reason: `invalid: ${formatIssues(result.error)}` };
  return { ok: true, value: result.data };
}
