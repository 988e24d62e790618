import { z } from 'zod';
import { durationSchema } from './duration.ts';
import { providerSchema, resourceNameSchema, SYMBOL_PATTERN, symbolSchema } from './names.ts';

export const MAX_SYMBOLS = 500;

export const uniqueSymbolsSchema = z
  .array(symbolSchema)
  .min(1, 'needs at least one symbol')
  .max(MAX_SYMBOLS, `may list at most ${MAX_SYMBOLS} symbols`)
  .refine((list) => new Set(list).size === list.length, 'must not repeat a symbol')
  // A set-typed list makes the API server refuse duplicates too.
  .meta({ 'x-kubernetes-list-type': 'set' });

/** Map keys are our symbols; OpenAPI cannot constrain keys, so the API server checks them by CEL. */
function symbolKeyed<V extends z.ZodType>(value: V) {
  return z.record(symbolSchema, value).meta({
    'x-kubernetes-validations': [
      {
        rule: `self.all(k, k.matches('${SYMBOL_PATTERN}'))`,
        message: 'keys must be symbols: 1–15 uppercase letters or digits',
      },
    ],
  });
}

export const secretKeyRefSchema = z.strictObject({
  name: resourceNameSchema,
  key: z.string().min(1).max(253),
});

/** One path segment other than `..`: `.`, a name, or a name that merely starts with dots. */
const SEGMENT = String.raw`(?:\.|\.?[^/.][^/]*|\.\.[^/]+)`;
/**
 * A path that cannot leave the directory it is relative to: not absolute, no `..` segment.
 * A plain regex (no look-arounds), so the CRD's `pattern` says the same to the API server.
 */
export const DATA_PATH_PATTERN = new RegExp(`^${SEGMENT}(?:/${SEGMENT})*$`);

/** A replay file, relative to the data directory (CRYPTOVIZ_DATA_DIR) and confined to it. */
export const dataPathSchema = z
  .string()
  .min(1)
  .max(1024)
  .regex(
    DATA_PATH_PATTERN,
    "must be a path inside the data directory (CRYPTOVIZ_DATA_DIR): relative, with no '..', leading '/' or '//'",
  );

export const replaySpecSchema = z.strictObject({
  /** Our symbol → OHLCV CSV path, relative to the data directory (CRYPTOVIZ_DATA_DIR). */
  data: symbolKeyed(dataPathSchema),
  /** Market time per wall-clock time: 3600 plays an hourly bar every second. */
  speed: z.number().positive().max(1e7).default(3600),
  loop: z.boolean().default(false),
  /** `original` keeps the file's timestamps; `now` re-times bars as if they happened now. */
  align: z.enum(['original', 'now']).default('original'),
});

export const syntheticSpecSchema = z.strictObject({
  seed: z
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  /** First step's time; with the seed it fixes the whole path. Defaults to when the worker starts. */
  start: z.iso.datetime().optional(),
});

export const replicaBoundsShape = {
  maxSymbolsPerWorker: z.int().min(1).max(MAX_SYMBOLS).default(50),
  minReplicas: z.int().min(0).max(100).optional(),
  maxReplicas: z.int().min(1).max(100).optional(),
  /**
   * Fixed worker count, overriding the computed one (still within min/max). This is what the
   * `scale` subresource writes, so `kubectl scale` works on sources and models.
   */
  replicas: z.int().min(0).max(100).optional(),
  suspend: z.boolean().default(false),
};

/** CEL twins of checkReplicaBounds and friends, for the API server (which cannot run zod). */
export const replicaBoundsRules = [
  {
    rule: '!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas',
    message: 'minReplicas must not exceed maxReplicas',
    fieldPath: '.minReplicas',
  },
];

export function checkReplicaBounds(
  spec: { minReplicas?: number | undefined; maxReplicas?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  if (spec.minReplicas !== undefined && spec.maxReplicas !== undefined) {
    if (spec.minReplicas > spec.maxReplicas) {
      ctx.addIssue({
        code: 'custom',
        path: ['minReplicas'],
        message: 'must not exceed maxReplicas',
      });
    }
  }
}

export const cryptoSourceSpecSchema = z
  .strictObject({
    provider: providerSchema,
    symbols: uniqueSymbolsSchema,
    quote: symbolSchema.default('USD'),
    interval: durationSchema('1s').default('60s'),
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    apiKeySecretRef: secretKeyRefSchema.optional(),
    rateLimit: z.strictObject({ requestsPerMinute: z.int().min(1).max(100_000) }).optional(),
    /** Our symbol → the provider's id (e.g. BTC → bitcoin), extending the built-in table. */
    symbolMap: symbolKeyed(z.string().min(1).max(100)).optional(),
    /** Hours of history to load when a source starts, where the provider has candles. */
    backfillHours: z
      .int()
      .min(0)
      .max(24 * 90)
      .default(0),
    replay: replaySpecSchema.optional(),
    synthetic: syntheticSpecSchema.optional(),
    ...replicaBoundsShape,
  })
  .superRefine((spec, ctx) => {
    checkReplicaBounds(spec, ctx);
    if (spec.provider === 'replay') {
      if (!spec.replay) {
        ctx.addIssue({
          code: 'custom',
          path: ['replay'],
          message: 'is required when provider is replay',
        });
      } else {
        for (const symbol of spec.symbols) {
          if (!spec.replay.data[symbol]) {
            ctx.addIssue({
              code: 'custom',
              path: ['replay', 'data', symbol],
              message: `names no CSV for symbol ${symbol}`,
            });
          }
        }
      }
    } else if (spec.replay) {
      ctx.addIssue({
        code: 'custom',
        path: ['replay'],
        message: 'is only allowed when provider is replay',
      });
    }
    if (spec.synthetic && spec.provider !== 'synthetic') {
      ctx.addIssue({
        code: 'custom',
        path: ['synthetic'],
        message: 'is only allowed when provider is synthetic',
      });
    }
  })
  .meta({
    'x-kubernetes-validations': [
      ...replicaBoundsRules,
      {
        rule: "self.provider == 'replay' ? has(self.replay) : !has(self.replay)",
        message: 'replay is required when provider is replay, and only allowed then',
        fieldPath: '.replay',
      },
      {
        rule: '!has(self.replay) || self.symbols.all(s, s in self.replay.data)',
        message: 'replay.data must name a CSV for every symbol',
        fieldPath: '.replay.data',
      },
      {
        rule: "!has(self.synthetic) || self.provider == 'synthetic'",
        message: 'synthetic is only allowed when provider is synthetic',
        fieldPath: '.synthetic',
      },
    ],
  });

export type CryptoSourceSpecInput = z.input<typeof cryptoSourceSpecSchema>;
export type CryptoSourceSpec = z.output<typeof cryptoSourceSpecSchema>;
