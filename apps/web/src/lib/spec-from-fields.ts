import type { MemberFields, ModelFields, SourceFields } from './resource-forms.ts';
import { isExchange } from './resource-forms.ts';

/**
 * A resource spec from its form, not yet validated: the CRD schema judges it, so what is typed
 * goes in as typed (a number field holding "abc" is NaN, which the schema names).
 */

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
const upperList = (text: string) => list(text).map((item) => item.toUpperCase());

/** Empty leaves the setting out (the schema's default applies); anything else is kept. */
const optional = <V>(key: string, text: string, read: (text: string) => V) =>
  text.trim() === '' ? {} : { [key]: read(text.trim()) };
const asNumber = (text: string) => Number(text);
const asText = (text: string) => text;

/** `BTC=bitcoin, ETH = ethereum` → { BTC: 'bitcoin', ETH: 'ethereum' }; keys are symbols. */
export function entriesOf(text: string): Record<string, string> {
  const entries = text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry): [string, string] => {
      const equals = entry.indexOf('=');
      return equals === -1
        ? [entry.toUpperCase(), '']
        : [entry.slice(0, equals).trim().toUpperCase(), entry.slice(equals + 1).trim()];
    });
  return Object.fromEntries(entries);
}

function replicaSettingsOf(fields: SourceFields | ModelFields) {
  return {
    ...optional('maxSymbolsPerWorker', fields.maxSymbolsPerWorker, asNumber),
    ...optional('minReplicas', fields.minReplicas, asNumber),
    ...optional('maxReplicas', fields.maxReplicas, asNumber),
    ...optional('replicas', fields.replicas, asNumber),
    suspend: fields.suspend,
  };
}

/** Settings of the provider chosen only: another provider's would be refused or misread. */
function providerSettingsOf(fields: SourceFields) {
  if (fields.provider === 'replay') {
    return {
      replay: {
        data: entriesOf(fields['replay.data']),
        ...optional('speed', fields['replay.speed'], asNumber),
        loop: fields['replay.loop'],
        align: fields['replay.align'],
      },
    };
  }
  if (fields.provider === 'synthetic') {
    const synthetic = {
      ...optional('seed', fields['synthetic.seed'], asNumber),
      ...optional('start', fields['synthetic.start'], asText),
    };
    return Object.keys(synthetic).length > 0 ? { synthetic } : {};
  }
  if (!isExchange(fields.provider)) return {};
  const secretName = fields['apiKeySecretRef.name'].trim();
  const secretKey = fields['apiKeySecretRef.key'].trim();
  return {
    ...optional('endpoint', fields.endpoint, asText),
    // Half a reference is sent as it is, so the schema names the half that is missing.
    ...(secretName || secretKey ? { apiKeySecretRef: { name: secretName, key: secretKey } } : {}),
    ...optional('rateLimit', fields['rateLimit.requestsPerMinute'], (rate) => ({
      requestsPerMinute: Number(rate),
    })),
    ...optional('symbolMap', fields.symbolMap, entriesOf),
    ...optional('backfillHours', fields.backfillHours, asNumber),
  };
}

/** A CryptoSource spec from the form: every setting it shows, nothing it hides. */
export function sourceSpecOf(
  fields: SourceFields,
): { interval?: string } & Record<string, unknown> {
  return {
    provider: fields.provider,
    symbols: upperList(fields.symbols),
    ...optional('quote', fields.quote, (quote) => quote.toUpperCase()),
    ...optional('interval', fields.interval, asText),
    ...providerSettingsOf(fields),
    ...replicaSettingsOf(fields),
  };
}

/** Parameters as numbers; the empty ones are left out, so the model's defaults apply. */
const paramsOf = (params: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(params)
      .filter(([, value]) => value.trim() !== '')
      .map(([key, value]) => [key, Number(value)]),
  );

const memberOf = (member: MemberFields) => ({
  algorithm: member.algorithm,
  params: paramsOf(member.params),
  ...optional('weight', member.weight, asNumber),
});

/** A PredictionModel spec from the form: every setting it shows, nothing it hides. */
export function modelSpecOf(
  fields: ModelFields,
): { interval?: string; horizons?: string[] } & Record<string, unknown> {
  const consensus = fields.algorithm === 'consensus';
  return {
    algorithm: fields.algorithm,
    symbols: upperList(fields.symbols),
    sources: list(fields.sources),
    ...optional('horizons', fields.horizons, list),
    ...optional('interval', fields.interval, asText),
    params: consensus ? {} : paramsOf(fields.params),
    ...(consensus ? { members: fields.members.map(memberOf) } : {}),
    signal: {
      ...optional('threshold', fields['signal.threshold'], asNumber),
      ...optional('minConfidence', fields['signal.minConfidence'], asNumber),
    },
    ...replicaSettingsOf(fields),
  };
}
