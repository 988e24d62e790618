import { MODEL_NAMES, MODEL_PARAMS, type ModelName } from '@cryptoviz/forecast/catalog';
import { z } from 'zod';
import {
  checkReplicaBounds,
  replicaBoundsRules,
  replicaBoundsShape,
  uniqueSymbolsSchema,
} from './crypto-source.ts';
import { durationSchema, parseDuration } from './duration.ts';
import { resourceNameSchema } from './names.ts';

export const algorithmSchema = z.enum(MODEL_NAMES);
const memberAlgorithmSchema = z.enum(
  MODEL_NAMES.filter((name) => name !== 'consensus') as [
    Exclude<ModelName, 'consensus'>,
    ...Exclude<ModelName, 'consensus'>[],
  ],
);
const paramsSchema = z.record(
  z
    .string()
    .max(64)
    .regex(/^[A-Za-z]+$/),
  z.number(),
);

export const memberSchema = z.strictObject({
  algorithm: memberAlgorithmSchema,
  params: paramsSchema.default({}),
  /** Static weight; leave out on every member to weight by each member's recent error. */
  weight: z.number().min(0).max(1000).optional(),
});

export const signalSpecSchema = z.strictObject({
  /** Expected move, as a fraction of price, a BUY or SELL must clear. */
  threshold: z.number().min(0).max(1).default(0.002),
  minConfidence: z.number().min(0).max(1).default(0.7),
});

function checkParams(
  algorithm: ModelName,
  params: Record<string, number>,
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  if (algorithm === 'consensus') {
    if (Object.keys(params).length > 0) {
      ctx.addIssue({ code: 'custom', path, message: 'consensus takes members, not params' });
    }
    return;
  }
  const result = MODEL_PARAMS[algorithm].safeParse(params);
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, ...issue.path.map(String)],
        message: issue.message,
      });
    }
  }
}

export const predictionModelSpecSchema = z
  .strictObject({
    algorithm: algorithmSchema,
    symbols: uniqueSymbolsSchema,
    /** CryptoSource names whose ticks feed the model; empty means every source. */
    sources: z
      .array(resourceNameSchema)
      .max(50)
      .default([])
      .meta({ 'x-kubernetes-list-type': 'set' }),
    horizons: z.array(durationSchema('1s')).min(1).max(10).default(['1h', '6h']),
    params: paramsSchema.default({}),
    members: z.array(memberSchema).min(1).max(10).optional(),
    signal: signalSpecSchema.default({ threshold: 0.002, minConfidence: 0.7 }),
    /** Bar size: the model forecasts each time a bar of this length closes. */
    interval: durationSchema('1s').default('1h'),
    ...replicaBoundsShape,
  })
  .superRefine((spec, ctx) => {
    checkReplicaBounds(spec, ctx);
    checkParams(spec.algorithm, spec.params, ['params'], ctx);
    if (spec.algorithm === 'consensus') {
      if (!spec.members) {
        ctx.addIssue({
          code: 'custom',
          path: ['members'],
          message: 'is required when algorithm is consensus',
        });
      } else {
        spec.members.forEach((member, i) =>
          checkParams(member.algorithm, member.params, ['members', i, 'params'], ctx),
        );
        const weighted = spec.members.filter((m) => m.weight !== undefined).length;
        if (weighted !== 0 && weighted !== spec.members.length) {
          ctx.addIssue({
            code: 'custom',
            path: ['members'],
            message: 'give every member a weight, or none (weights then follow recent errors)',
          });
        }
      }
    } else if (spec.members) {
      ctx.addIssue({
        code: 'custom',
        path: ['members'],
        message: 'is only allowed when algorithm is consensus',
      });
    }
    const bar = parseDuration(spec.interval);
    spec.horizons.forEach((horizon, i) => {
      if (parseDuration(horizon) % bar !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['horizons', i],
          message: `must be a whole number of intervals (${spec.interval})`,
        });
      }
    });
  })
  .meta({
    'x-kubernetes-validations': [
      ...replicaBoundsRules,
      {
        rule: "self.algorithm == 'consensus' ? has(self.members) : !has(self.members)",
        message: 'members are required when algorithm is consensus, and only allowed then',
        fieldPath: '.members',
      },
      {
        rule: "self.algorithm != 'consensus' || !has(self.params) || size(self.params) == 0",
        message: 'consensus takes members, not params',
        fieldPath: '.params',
      },
      {
        rule: '!has(self.members) || self.members.all(m, has(m.weight)) || self.members.all(m, !has(m.weight))',
        message: 'give every member a weight, or none (weights then follow recent errors)',
        fieldPath: '.members',
      },
    ],
  });

export type PredictionModelSpec = z.output<typeof predictionModelSpecSchema>;
