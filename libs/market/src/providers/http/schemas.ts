import { formatIssues } from '@cryptoviz/resources';
import { z } from 'zod';
import { ProviderError } from '../provider.ts';

/**
 * Exchanges send prices as decimal strings to keep precision ("4.00000200"); a number, an
 * empty string or "NaN" where a string is expected means the payload is not what we know.
 */
export const decimalString = z
  .string()
  .regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'must be a decimal number in a string')
  .transform(Number);

/** An optional provider number that may also be null; both mean "not known". */
export const optionalNumber = z
  .number()
  .nullish()
  .transform((value) => value ?? null);

export const epochMillis = z.int().nonnegative();
export const epochSeconds = z.number().nonnegative();

export const jsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof jsonObject>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a payload's envelope; a mismatch means the whole response is unusable. */
export function parseEnvelope<S extends z.ZodType>(
  schema: S,
  body: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new ProviderError(
      'malformed',
      `${what} has an unexpected shape: ${formatIssues(result.error)}`,
    );
  }
  return result.data;
}

/** One entry read, or the reason it was refused (the entry is skipped, not the payload). */
export type Reading<T> = { ok: true; value: T } | { ok: false; reason: string };

export function ok<T>(value: T): Reading<T> {
  return { ok: true, value };
}

/** Parses one entry; a mismatch skips that entry only, with the reason. */
export function parseEntry<S extends z.ZodType>(schema: S, entry: unknown): Reading<z.output<S>> {
  const result = schema.safeParse(entry);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, reason: `invalid entry: ${formatIssues(result.error)}` };
}
