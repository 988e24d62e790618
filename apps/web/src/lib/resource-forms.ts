import {
  API_VERSION,
  algorithmSchema,
  DURATION_PATTERN,
  cryptoSourceSchema,
  predictionModelSchema,
  PROVIDERS,
  type CryptoSource,
  type PredictionModel,
} from '@cryptoviz/resources';
import type { z } from 'zod';
import { modelSpecOf, sourceSpecOf } from './spec-from-fields.ts';

export { PROVIDERS };
export const ALGORITHMS = algorithmSchema.options;

/** What the source form edits: strings as typed, turned into a manifest on submit. */
export interface SourceFields {
  name: string;
  provider: string;
  symbols: string;
  quote: string;
  interval: string;
  maxSymbolsPerWorker: string;
  suspend: boolean;
}

export interface ModelFields {
  name: string;
  algorithm: string;
  /** Consensus only: member algorithms, comma-separated. */
  members: string;
  symbols: string;
  sources: string;
  horizons: string;
  interval: string;
  threshold: string;
  minConfidence: string;
  suspend: boolean;
}

export type FieldErrors = Record<string, string>;
export type Validated<M> = { ok: true; manifest: M } | { ok: false; errors: FieldErrors };

export function emptySourceFields(): SourceFields {
  return {
    name: '',
    provider: 'synthetic',
    symbols: 'BTC, ETH',
    quote: 'USD',
    interval: '60s',
    maxSymbolsPerWorker: '',
    suspend: false,
  };
}

export function emptyModelFields(): ModelFields {
  return {
    name: '',
    algorithm: 'ridge',
    members: '',
    symbols: 'BTC',
    sources: '',
    horizons: '1h, 6h',
    interval: '1h',
    threshold: '0.002',
    minConfidence: '0.7',
    suspend: false,
  };
}

export function sourceFieldsOf(source: CryptoSource): SourceFields {
  return {
    name: source.metadata.name,
    provider: source.spec.provider,
    symbols: source.spec.symbols.join(', '),
    quote: source.spec.quote,
    interval: source.spec.interval,
    maxSymbolsPerWorker: String(source.spec.maxSymbolsPerWorker ?? ''),
    suspend: source.spec.suspend,
  };
}

export function modelFieldsOf(model: PredictionModel): ModelFields {
  return {
    name: model.metadata.name,
    algorithm: model.spec.algorithm,
    members: (model.spec.members ?? []).map((m) => m.algorithm).join(', '),
    symbols: model.spec.symbols.join(', '),
    sources: model.spec.sources.join(', '),
    horizons: model.spec.horizons.join(', '),
    interval: model.spec.interval,
    threshold: String(model.spec.signal.threshold),
    minConfidence: String(model.spec.signal.minConfidence),
    suspend: model.spec.suspend,
  };
}

/**
 * Issues of the CRD schema mapped onto form fields: `spec.symbols.2` → `symbols`,
 * `metadata.name` → `name`, `spec.signal.threshold` → `threshold`. An issue in a setting the
 * form does not show (say `spec.replay`, kept from the edited manifest) goes to `form`, with
 * its path, so it is still seen.
 */
function fieldErrors(error: z.ZodError, known: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).filter((p) => p !== 'spec' && p !== 'metadata');
    const field = [...path].reverse().find((p) => known.includes(p));
    if (field === undefined) {
      errors.form ??= path.length > 0 ? `${path.join('.')}: ${issue.message}` : issue.message;
      continue;
    }
    const detail = path.slice(path.indexOf(field) + 1).join('.');
    errors[field] ??=
      detail && !/^\d+$/.test(detail) ? `${detail}: ${issue.message}` : issue.message;
  }
  return errors;
}

/**
 * The schemas' duration refinements may throw on text that is no duration at all (instead of
 * adding an issue); for a form that is simply a bad duration field.
 */
function safeParse<S extends z.ZodType>(schema: S, value: unknown) {
  try {
    return schema.safeParse(value);
  } catch {
    return 'threw' as const;
  }
}

const DURATION = new RegExp(`^${DURATION_PATTERN}$`);

/** Which of the duration fields hold something that is no duration. */
function durationErrors(fields: Record<string, string[]>): FieldErrors {
  const errors: FieldErrors = {};
  for (const [field, values] of Object.entries(fields)) {
    if (values.some((v) => !DURATION.test(v))) {
      errors[field] = 'must be a duration such as 30s, 5m or 1h';
    }
  }
  return Object.keys(errors).length > 0 ? errors : { form: 'invalid durations' };
}

/**
 * The manifest the source form describes, validated by the CryptoSource CRD schema. When the
 * form edits `base`, the fields are laid over it: what the form does not show is kept.
 */
export function validateSource(
  fields: SourceFields,
  base: CryptoSource | null = null,
): Validated<CryptoSource> {
  const metadata = { ...base?.metadata, name: fields.name.trim() };
  const spec = sourceSpecOf(fields, base?.spec);
  const manifest = {
    ...base,
    apiVersion: API_VERSION,
    kind: 'CryptoSource' as const,
    metadata,
    spec,
  };
  const result = safeParse(cryptoSourceSchema, manifest);
  if (result === 'threw') {
    // Report the bad duration, and whatever else is wrong with a valid one in its place.
    const errors = durationErrors({ interval: [spec.interval] });
    const rest = validateSource({ ...fields, interval: '60s' }, base);
    return { ok: false, errors: { ...(rest.ok ? {} : rest.errors), ...errors } };
  }
  if (!result.success) return { ok: false, errors: fieldErrors(result.error, Object.keys(fields)) };
  return { ok: true, manifest: manifest as unknown as CryptoSource };
}

/**
 * The manifest the model form describes, validated by the PredictionModel CRD schema. When the
 * form edits `base`, the fields are laid over it: what the form does not show is kept.
 */
export function validateModel(
  fields: ModelFields,
  base: PredictionModel | null = null,
): Validated<PredictionModel> {
  const metadata = { ...base?.metadata, name: fields.name.trim() };
  const spec = modelSpecOf(fields, base?.spec);
  const manifest = {
    ...base,
    apiVersion: API_VERSION,
    kind: 'PredictionModel' as const,
    metadata,
    spec,
  };
  const result = safeParse(predictionModelSchema, manifest);
  if (result === 'threw') {
    const errors = durationErrors({ interval: [spec.interval], horizons: spec.horizons });
    const rest = validateModel({ ...fields, interval: '1h', horizons: '1h' }, base);
    return { ok: false, errors: { ...(rest.ok ? {} : rest.errors), ...errors } };
  }
  if (!result.success) return { ok: false, errors: fieldErrors(result.error, Object.keys(fields)) };
  return { ok: true, manifest: manifest as unknown as PredictionModel };
}
