import type { CryptoSource, PredictionModel } from '@cryptoviz/resources';
import type { ModelFields, SourceFields } from './resource-forms.ts';

type SourceSpec = CryptoSource['spec'];
type ModelSpec = PredictionModel['spec'];
type Member = NonNullable<ModelSpec['members']>[number];

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
const upperList = (text: string) => list(text).map((item) => item.toUpperCase());
/** A number field: empty stays out of the manifest (the schema's default applies). */
const optionalNumber = (text: string) => (text.trim() === '' ? undefined : Number(text));

/** Settings written for one provider (its URL, key, ids, files): wrong for any other. */
const PROVIDER_SETTINGS = [
  'endpoint',
  'apiKeySecretRef',
  'rateLimit',
  'symbolMap',
  'replay',
  'synthetic',
] as const;

/**
 * A CryptoSource spec from the form, laid over `base` when editing: the form shows only some
 * settings, and a save must not drop the others (API keys, replay files, replica bounds…).
 */
export function sourceSpecOf(fields: SourceFields, base?: SourceSpec) {
  const kept: Partial<SourceSpec> = { ...base };
  if (base && base.provider !== fields.provider) {
    for (const setting of PROVIDER_SETTINGS) delete kept[setting];
  }
  // The form shows this one: emptied, it goes back to the schema default rather than the old value.
  delete kept.maxSymbolsPerWorker;
  const maxSymbolsPerWorker = optionalNumber(fields.maxSymbolsPerWorker);
  return {
    ...kept,
    provider: fields.provider,
    symbols: upperList(fields.symbols),
    quote: fields.quote.trim().toUpperCase(),
    interval: fields.interval.trim(),
    ...(maxSymbolsPerWorker !== undefined ? { maxSymbolsPerWorker } : {}),
    suspend: fields.suspend,
  };
}

/**
 * Consensus members as the form lists them. The form edits only their algorithms, so each
 * keeps the params and weight of an earlier member of the same algorithm, matched in order.
 */
function membersOf(algorithms: readonly string[], earlier: readonly Member[]) {
  const unclaimed = [...earlier];
  return algorithms.map((algorithm): Member | { algorithm: string } => {
    const match = unclaimed.findIndex((member) => member.algorithm === algorithm);
    return match >= 0 ? unclaimed.splice(match, 1)[0]! : { algorithm };
  });
}

/**
 * A PredictionModel spec from the form, laid over `base` when editing: the form shows only
 * some settings, and a save must not drop the others (params, member weights, replica bounds…).
 */
export function modelSpecOf(fields: ModelFields, base?: ModelSpec) {
  const kept: Partial<ModelSpec> = { ...base };
  // Params belong to their algorithm: another one refuses them, or worse, reads them differently.
  if (base && base.algorithm !== fields.algorithm) delete kept.params;
  delete kept.members;
  // The members field is hidden for other algorithms, so what it still holds does not count.
  const members =
    fields.algorithm === 'consensus' ? membersOf(list(fields.members), base?.members ?? []) : [];
  return {
    ...kept,
    algorithm: fields.algorithm,
    symbols: upperList(fields.symbols),
    sources: list(fields.sources),
    horizons: list(fields.horizons),
    interval: fields.interval.trim(),
    ...(members.length > 0 ? { members } : {}),
    signal: {
      ...base?.signal,
      threshold: optionalNumber(fields.threshold) ?? 0.002,
      minConfidence: optionalNumber(fields.minConfidence) ?? 0.7,
    },
    suspend: fields.suspend,
  };
}
