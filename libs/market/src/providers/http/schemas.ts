import { formatIssues } from '@cryptoviz/resources';
import { z } from 'zod';
import { ProviderError } from '../provider.ts';

const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** A decimal string as the number it spells; anything else as it is, for the schema to judge. */
function fromDecimalString(value: unknown): unknown {
  return typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
}

/**
 * A provider's number. Exchanges send decimal strings to keep precision ("4.00000200"), and
 * older API versions sent as strings what is now a number (and the reverse): both are read.
 * An empty string, "NaN" or a non-finite value is not a number.
 */
export const numeric = z.preprocess(fromDecimalString, z.number());

/** Fields read in a parseEntry call that had to be ignored; see optionalField. */
let ignoring: string[] | undefined;

/**
 * A field a tick can do without (volume, market cap, 24 h change…). Missing or null, it is
 * not known; of an unexpected type (a string where a number was, a nested object), it is
 * ignored and noted under `field`, rather than costing the whole record.
 */
export function optionalField<S extends z.ZodType>(schema: S, field: string) {
  return schema
    .nullish()
    .transform((value) => value ?? null)
    .catch(() => {
      ignoring?.push(field);
      return null;
    });
}

/** An optional provider number; see optionalField. */
export const optionalNumber = (field: string) => optionalField(numeric, field);

export const epochMillis = z.preprocess(fromDecimalString, z.int().nonnegative());
export const epochSeconds = z.preprocess(fromDecimalString, z.number().nonnegative());

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

/**
 * One entry read, or the reason it was refused (the entry is skipped, not the payload).
 * A read entry names the optional fields it had to ignore.
 */
export type Reading<T> = { ok: true; value: T; ignored?: string[] } | { ok: false; reason: string };

export function ok<T>(value: T, ignored?: string[]): Reading<T> {
  return ignored?.length ? { ok: true, value, ignored } : { ok: true, value };
}

/** Parses one entry; a mismatch of a required field skips that entry only, with the reason. */
export function parseEntry<S extends z.ZodType>(schema: S, entry: unknown): Reading<z.output<S>> {
  const outer = ignoring;
  const ignored: string[] = [];
  ignoring = ignored;
  try {
    const result = schema.safeParse(entry);
    return result.success
      ? ok(result.data, ignored)
      : { ok: false, reason: `invalid entry: ${formatIssues(result.error)}` };
  } finally {
    // Parsing is synchronous, so no other entry's fields can land here meanwhile.
    ignoring = outer;
  }
}
