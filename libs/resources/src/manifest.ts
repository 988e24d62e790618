import { z } from 'zod';
import { cryptoSourceSpecSchema } from './crypto-source.ts';
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
