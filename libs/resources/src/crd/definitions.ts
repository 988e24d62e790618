import type { z } from 'zod';
import { cryptoSourceSpecSchema } from '../crypto-source.ts';
import { GROUP, VERSION, type ResourceKind } from '../manifest.ts';
import { predictionModelSpecSchema } from '../prediction-model.ts';
import { cryptoSourceStatusSchema, predictionModelStatusSchema } from '../status.ts';
import { toStructuralSchema } from './openapi.ts';

interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

interface KindDefinition {
  plural: string;
  shortNames: string[];
  spec: z.ZodType;
  status: z.ZodType;
  columns: PrinterColumn[];
}

const readyColumns: PrinterColumn[] = [
  { name: 'Symbols', type: 'integer', jsonPath: '.status.symbolCount' },
  { name: 'Ready', type: 'string', jsonPath: '.status.ready', description: 'workers ready/wanted' },
];
const reasonColumn: PrinterColumn = {
  name: 'Reason',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
  priority: 1,
};
const ageColumn: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};

export const KIND_DEFINITIONS: Record<ResourceKind, KindDefinition> = {
  CryptoSource: {
    plural: 'cryptosources',
    shortNames: ['cs', 'csrc'],
    spec: cryptoSourceSpecSchema,
    status: cryptoSourceStatusSchema,
    columns: [
      { name: 'Provider', type: 'string', jsonPath: '.spec.provider' },
      ...readyColumns,
      { name: 'Last Data', type: 'date', jsonPath: '.status.lastTickTime' },
      reasonColumn,
      ageColumn,
    ],
  },
  PredictionModel: {
    plural: 'predictionmodels',
    shortNames: ['pm'],
    spec: predictionModelSpecSchema,
    status: predictionModelStatusSchema,
    columns: [
      { name: 'Algorithm', type: 'string', jsonPath: '.spec.algorithm' },
      ...readyColumns,
      { name: 'Last Prediction', type: 'date', jsonPath: '.status.lastPredictionTime' },
      {
        name: 'Accuracy',
        type: 'number',
        jsonPath: '.status.accuracy',
        description: 'share (0–1) of recent direction calls that came true, over all workers',
      },
      {
        name: 'Skill',
        type: 'number',
        jsonPath: '.status.skill',
        description: '1 − MAE/MAE(naive): above 0 the model beats "the price stays where it is"',
      },
      {
        name: 'Verdict',
        type: 'string',
        jsonPath: '.status.skillVerdict',
        description: 'Diebold–Mariano test of the skill against naive at 5 %',
      },
      reasonColumn,
      ageColumn,
    ],
  },
};

export function crdName(kind: ResourceKind): string {
  return `${KIND_DEFINITIONS[kind].plural}.${GROUP}`;
}

/** The CustomResourceDefinition of one kind, built from its zod schemas. */
export function buildCrd(kind: ResourceKind): Record<string, unknown> {
  const definition = KIND_DEFINITIONS[kind];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: crdName(kind),
      labels: { 'app.kubernetes.io/part-of': 'cryptoviz' },
    },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind,
        listKind: `${kind}List`,
        plural: definition.plural,
        singular: kind.toLowerCase(),
        shortNames: definition.shortNames,
        categories: ['cryptoviz'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: {
              specReplicasPath: '.spec.replicas',
              statusReplicasPath: '.status.replicas',
              labelSelectorPath: '.status.selector',
            },
          },
          additionalPrinterColumns: definition.columns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: `${kind} (${GROUP}/${VERSION}); see docs/OPERATOR.md`,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: toStructuralSchema(definition.spec),
                status: toStructuralSchema(definition.status),
              },
            },
          },
        },
      ],
    },
  };
}

export const CRD_KINDS = Object.keys(KIND_DEFINITIONS) as ResourceKind[];

/** The file `npm run crds` writes for a kind, and the drift test compares against. */
export function crdFileName(kind: ResourceKind): string {
  return `${crdName(kind)}.yaml`;
}
