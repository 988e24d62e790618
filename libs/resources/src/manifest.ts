import { parseAllDocuments, type YAMLError } from 'yaml';
import { z } from 'zod';
import { cryptoSourceSpecSchema } from './crypto-source.ts';
import { formatIssues } from './issues.ts';
import { predictionModelSpecSchema } from './prediction-model.ts';
import { resourceNameSchema } from './names.ts';

export const GROUP = 'cryptoviz.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

const metadataSchema = z.looseObject({
  name: resourceNameSchema,
  namespace: resourceNameSchema.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  generation: z.int().optional(),
  uid: z.string().optional(),
});

export const cryptoSourceSchema = z.looseObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('CryptoSource'),
  metadata: metadataSchema,
  spec: cryptoSourceSpecSchema,
});
export type CryptoSource = z.output<typeof cryptoSourceSchema>;

export const predictionModelSchema = z.looseObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('PredictionModel'),
  metadata: metadataSchema,
  spec: predictionModelSpecSchema,
});
export type PredictionModel = z.output<typeof predictionModelSchema>;

export const resourceSchemas = {
  CryptoSource: cryptoSourceSchema,
  PredictionModel: predictionModelSchema,
} as const;
export type ResourceKind = keyof typeof resourceSchemas;
export type Resource = z.output<(typeof resourceSchemas)[ResourceKind]>;

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/**
 * A YAML syntax error by its kind and place only: the parser's own message quotes the
 * offending line, which in a folder that also holds Secrets may be an API key.
 */
function yamlProblem(error: YAMLError): string {
  const what = error.message.split(' at line ')[0]!.trim();
  const at = error.linePos?.[0];
  return at ? `${what} (line ${at.line}, column ${at.col})` : what;
}

/**
 * Parses one YAML file that may hold several documents. Documents of kinds we do not own
 * (Secrets, ConfigMaps, …) are returned untouched in `others`, so one folder can hold a
 * whole deployment.
 */
export function parseManifests(
  text: string,
  origin: string,
): { resources: Resource[]; others: Record<string, unknown>[] } {
  const resources: Resource[] = [];
  const others: Record<string, unknown>[] = [];
  for (const [index, doc] of parseAllDocuments(text).entries()) {
    const where = `${origin} (document ${index + 1})`;
    if (doc.errors.length > 0) throw new ManifestError(`${where}: ${yamlProblem(doc.errors[0]!)}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new ManifestError(`${where}: expected a Kubernetes object`);
    }
    const kind = (value as { kind?: unknown }).kind;
    const schema = typeof kind === 'string' ? resourceSchemas[kind as ResourceKind] : undefined;
    if (!schema) {
      others.push(value as Record<string, unknown>);
      continue;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      const name = (value as { metadata?: { name?: unknown } }).metadata?.name;
      throw new ManifestError(
        `${where}: ${String(kind)} ${typeof name === 'string' ? `"${name}" ` : ''}is invalid: ${formatIssues(result.error)}`,
      );
    }
    resources.push(result.data);
  }
  return { resources, others };
}
