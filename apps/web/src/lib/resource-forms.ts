import {
  API_VERSION,
  algorithmSchema,
  DURATION_PATTERN,
  cryptoSourceSchema,
  parseDuration,
  predictionModelSchema,
  PROVIDERS,
  type CryptoSource,
  type PredictionModel,
} from '@cryptoviz/resources';
import { warmUpBars } from '@cryptoviz/resources/warm-up';
import type { z } from 'zod';
import { formatSpan } from './format.ts';
import { paramFieldsOf } from './schema-hints.ts';
import { modelSpecOf, sourceSpecOf } from './spec-from-fields.ts';

export { PROVIDERS };
export const ALGORITHMS = algorithmSchema.options;
/** Members of a consensus: any algorithm but another consensus. */
export const MEMBER_ALGORITHMS = ALGORITHMS.filter((name) => name !== 'consensus');

/**
 * What the forms edit: every setting of the spec, as typed (strings; booleans for checkboxes),
 * keyed by its path in the spec, so a schema issue at `replay.speed` lands on that field.
 * An empty text field leaves its setting out: the schema's default applies.
 */
interface ReplicaFields {
  maxSymbolsPerWorker: string;
  minReplicas: string;
  maxReplicas: string;
  replicas: string;
  suspend: boolean;
}

export interface SourceFields extends ReplicaFields {
  name: string;
  provider: string;
  symbols: string;
  quote: string;
  interval: string;
  endpoint: string;
  'apiKeySecretRef.name': string;
  'apiKeySecretRef.key': string;
  'rateLimit.requestsPerMinute': string;
  /** `BTC=bitcoin, ETH=ethereum` */
  symbolMap: string;
  backfillHours: string;
  /** `BTC=data/btc.csv, ETH=data/eth.csv` */
  'replay.data': string;
  'replay.speed': string;
  'replay.loop': boolean;
  'replay.align': string;
  'synthetic.seed': string;
  'synthetic.start': string;
}

export interface MemberFields {
  algorithm: string;
  /** Parameter → value as typed; the keys are the algorithm's own (paramFieldsOf). */
  params: Record<string, string>;
  weight: string;
}

export interface ModelFields extends ReplicaFields {
  name: string;
  algorithm: string;
  symbols: string;
  sources: string;
  horizons: string;
  interval: string;
  params: Record<string, string>;
  /** Consensus only. */
  members: MemberFields[];
  'signal.threshold': string;
  'signal.minConfidence': string;
}

export type FieldErrors = Record<string, string>;
export type Validated<M> = { ok: true; manifest: M } | { ok: false; errors: FieldErrors };

/** Settings that only an exchange's API uses (its URL, key, rate, ids, candles). */
export const EXCHANGE_SETTINGS = [
  'endpoint',
  'apiKeySecretRef.name',
  'apiKeySecretRef.key',
  'rateLimit.requestsPerMinute',
  'symbolMap',
  'backfillHours',
] as const;
export const isExchange = (provider: string) => provider !== 'synthetic' && provider !== 'replay';

const noReplicaSettings = (): ReplicaFields => ({
  maxSymbolsPerWorker: '',
  minReplicas: '',
  maxReplicas: '',
  replicas: '',
  suspend: false,
});

export function emptySourceFields(): SourceFields {
  return {
    name: '',
    provider: 'synthetic',
    symbols: 'BTC, ETH',
    quote: '',
    interval: '',
    endpoint: '',
    'apiKeySecretRef.name': '',
    'apiKeySecretRef.key': '',
    'rateLimit.requestsPerMinute': '',
    symbolMap: '',
    backfillHours: '',
    'replay.data': '',
    'replay.speed': '',
    'replay.loop': false,
    'replay.align': 'original',
    'synthetic.seed': '',
    'synthetic.start': '',
    ...noReplicaSettings(),
  };
}

/** No parameter set: each shows its default as a hint. */
const emptyParams = (algorithm: string) =>
  Object.fromEntries(paramFieldsOf(algorithm).map(({ key }) => [key, '']));

export const emptyMember = (algorithm = 'movingAverage'): MemberFields => ({
  algorithm,
  params: emptyParams(algorithm),
  weight: '',
});

export function emptyModelFields(): ModelFields {
  return {
    name: '',
    algorithm: 'ridge',
    symbols: 'BTC',
    sources: '',
    horizons: '',
    interval: '',
    params: emptyParams('ridge'),
    members: [],
    'signal.threshold': '',
    'signal.minConfidence': '',
    ...noReplicaSettings(),
  };
}

const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
const entriesText = (record: Record<string, string> | undefined) =>
  Object.entries(record ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');

function replicaFieldsOf(spec: CryptoSource['spec'] | PredictionModel['spec']): ReplicaFields {
  return {
    maxSymbolsPerWorker: text(spec.maxSymbolsPerWorker),
    minReplicas: text(spec.minReplicas),
    maxReplicas: text(spec.maxReplicas),
    replicas: text(spec.replicas),
    suspend: spec.suspend,
  };
}

export function sourceFieldsOf(source: CryptoSource): SourceFields {
  const { spec } = source;
  return {
    name: source.metadata.name,
    provider: spec.provider,
    symbols: spec.symbols.join(', '),
    quote: spec.quote,
    interval: spec.interval,
    endpoint: text(spec.endpoint),
    'apiKeySecretRef.name': text(spec.apiKeySecretRef?.name),
    'apiKeySecretRef.key': text(spec.apiKeySecretRef?.key),
    'rateLimit.requestsPerMinute': text(spec.rateLimit?.requestsPerMinute),
    symbolMap: entriesText(spec.symbolMap),
    backfillHours: text(spec.backfillHours),
    'replay.data': entriesText(spec.replay?.data),
    'replay.speed': text(spec.replay?.speed),
    'replay.loop': spec.replay?.loop ?? false,
    'replay.align': spec.replay?.align ?? 'original',
    'synthetic.seed': text(spec.synthetic?.seed),
    'synthetic.start': text(spec.synthetic?.start),
    ...replicaFieldsOf(spec),
  };
}

/** The algorithm's parameters as typed, plus any the spec holds that it does not know. */
const paramsText = (algorithm: string, params: Record<string, number>) => ({
  ...emptyParams(algorithm),
  ...Object.fromEntries(Object.entries(params).map(([key, value]) => [key, String(value)])),
});

export function modelFieldsOf(model: PredictionModel): ModelFields {
  const { spec } = model;
  return {
    name: model.metadata.name,
    algorithm: spec.algorithm,
    symbols: spec.symbols.join(', '),
    sources: spec.sources.join(', '),
    horizons: spec.horizons.join(', '),
    interval: spec.interval,
    params: paramsText(spec.algorithm, spec.params),
    members: (spec.members ?? []).map((member) => ({
      algorithm: member.algorithm,
      params: paramsText(member.algorithm, member.params),
      weight: text(member.weight),
    })),
    'signal.threshold': text(spec.signal.threshold),
    'signal.minConfidence': text(spec.signal.minConfidence),
    ...replicaFieldsOf(spec),
  };
}

/** Another provider: what only the old one used is cleared, not sent to the new one. */
export function withProvider(fields: SourceFields, provider: string): SourceFields {
  if (provider === fields.provider) return fields;
  const fresh = emptySourceFields();
  const next = { ...fields, provider };
  if (!isExchange(provider)) for (const key of EXCHANGE_SETTINGS) next[key] = fresh[key];
  for (const key of ['replay.data', 'replay.speed', 'replay.align', 'replay.loop'] as const) {
    if (provider !== 'replay') (next[key] as unknown) = fresh[key];
  }
  if (provider !== 'synthetic') {
    next['synthetic.seed'] = '';
    next['synthetic.start'] = '';
  }
  return next;
}

/**
 * Another algorithm: parameters belong to theirs (another refuses them, or worse, reads them
 * differently), so they start empty; members only belong to a consensus, which starts with one.
 */
export function withAlgorithm(fields: ModelFields, algorithm: string): ModelFields {
  if (algorithm === fields.algorithm) return fields;
  return {
    ...fields,
    algorithm,
    params: emptyParams(algorithm),
    members: algorithm === 'consensus' ? [emptyMember()] : [],
  };
}

/** A member with another algorithm keeps its weight; its parameters start empty. */
export function withMemberAlgorithm(member: MemberFields, algorithm: string): MemberFields {
  return algorithm === member.algorithm
    ? member
    : { ...member, algorithm, params: emptyParams(algorithm) };
}

/** Every field's key, member and parameter fields included: where an issue can be shown. */
function modelFieldKeys(fields: ModelFields): string[] {
  const { params, members, ...plain } = fields;
  return [
    ...Object.keys(plain),
    'params',
    ...Object.keys(params).map((key) => `params.${key}`),
    'members',
    ...members.flatMap((member, i) => [
      `members.${i}`,
      `members.${i}.algorithm`,
      `members.${i}.weight`,
      `members.${i}.params`,
      ...Object.keys(member.params).map((key) => `members.${i}.params.${key}`),
    ]),
  ];
}

/**
 * Issues of the CRD schema put on the field they concern (the longest field key their path
 * starts with), each in the words a `kubectl apply` or the API would use: the path in the
 * spec, then the schema's own message. One without a field goes to `form`.
 */
function fieldErrors(error: z.ZodError, keys: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  const byLength = [...keys].sort((a, b) => b.length - a.length);
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    if (path[0] === 'spec' || path[0] === 'metadata') path.shift();
    const dotted = path.join('.');
    const field = byLength.find((key) => dotted === key || dotted.startsWith(`${key}.`));
    const message = dotted ? `${dotted}: ${issue.message}` : issue.message;
    errors[field ?? 'form'] ??= message;
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
      errors[field] = `${field}: must be a duration such as 30s, 5m or 1h`;
    }
  }
  return Object.keys(errors).length > 0 ? errors : { form: 'invalid durations' };
}

/**
 * The manifest the source form describes, as the CryptoSource CRD schema reads it (defaults
 * filled in). `base` is the manifest being edited: its metadata (labels, annotations) is kept.
 */
export function validateSource(
  fields: SourceFields,
  base: CryptoSource | null = null,
): Validated<CryptoSource> {
  const spec = sourceSpecOf(fields);
  const manifest = {
    ...base,
    apiVersion: API_VERSION,
    kind: 'CryptoSource' as const,
    metadata: { ...base?.metadata, name: fields.name.trim() },
    spec,
  };
  const result = safeParse(cryptoSourceSchema, manifest);
  if (result === 'threw') {
    // Report the bad duration, and whatever else is wrong with a valid one in its place.
    const errors = durationErrors({ interval: [spec.interval ?? ''] });
    const rest = validateSource({ ...fields, interval: '' }, base);
    return { ok: false, errors: { ...(rest.ok ? {} : rest.errors), ...errors } };
  }
  if (!result.success) return { ok: false, errors: fieldErrors(result.error, Object.keys(fields)) };
  return { ok: true, manifest: result.data };
}

/**
 * The manifest the model form describes, as the PredictionModel CRD schema reads it (defaults
 * filled in). `base` is the manifest being edited: its metadata (labels, annotations) is kept.
 */
export function validateModel(
  fields: ModelFields,
  base: PredictionModel | null = null,
): Validated<PredictionModel> {
  const spec = modelSpecOf(fields);
  const manifest = {
    ...base,
    apiVersion: API_VERSION,
    kind: 'PredictionModel' as const,
    metadata: { ...base?.metadata, name: fields.name.trim() },
    spec,
  };
  const result = safeParse(predictionModelSchema, manifest);
  if (result === 'threw') {
    const errors = durationErrors({
      interval: [spec.interval ?? '1h'],
      horizons: spec.horizons ?? [],
    });
    const rest = validateModel({ ...fields, interval: '', horizons: '' }, base);
    return { ok: false, errors: { ...(rest.ok ? {} : rest.errors), ...errors } };
  }
  if (!result.success)
    return { ok: false, errors: fieldErrors(result.error, modelFieldKeys(fields)) };
  return { ok: true, manifest: result.data };
}

/**
 * "First forecast after about 77 bars of 1h (3 d)": how long a new model warms up before it
 * forecasts every horizon, by the predictor's own count; null while the form is not valid.
 */
export function warmUpOf(fields: ModelFields): string | null {
  const result = validateModel({ ...fields, name: fields.name.trim() || 'draft' });
  if (!result.ok) return null;
  const { spec } = result.manifest;
  try {
    const bars = warmUpBars(spec);
    const span = formatSpan((bars * parseDuration(spec.interval)) / 1000);
    return `First forecast after about ${bars} bars of ${spec.interval} (${span}).`;
  } catch {
    return null;
  }
}
