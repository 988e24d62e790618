import { z } from 'zod';

// Parameters arrive as strings from `name:key=value` specs and as numbers from YAML, so numbers
// are coerced; bounds keep a typo from asking for a million-bar window.
const integer = (min: number, max: number, fallback: number, description: string) =>
  z.coerce.number().int().min(min).max(max).default(fallback).describe(description);
const real = (min: number, max: number, fallback: number, description: string) =>
  z.coerce.number().min(min).max(max).default(fallback).describe(description);

/** `name(key=value,…)` joined by `+`, e.g. `movingAverage(window=20)+linearTrend+momentum`. */
const MEMBER_LIST = /^[A-Za-z]+(\([^()]*\))?(\+[A-Za-z]+(\([^()]*\))?)*$/;
/** `inverseMae`, or one non-negative number per member joined by `+`, e.g. `0.4+0.4+0.2`. */
const WEIGHT_LIST = /^(inverseMae|\d+(\.\d+)?(\+\d+(\.\d+)?)*)$/;

/**
 * Every model the platform knows, by name: its parameter schema, with defaults and bounds.
 * Strict objects: an unknown key is an error, never silently ignored.
 */
export const MODEL_PARAMS = {
  naive: z.strictObject({}),
  movingAverage: z.strictObject({ window: integer(1, 10_000, 24, 'closes averaged') }),
  ewma: z.strictObject({ alpha: real(0.001, 1, 0.3, 'smoothing factor; 1 = naive') }),
  linearTrend: z.strictObject({ window: integer(2, 10_000, 24, 'closes the line is fitted to') }),
  momentum: z.strictObject({
    window: integer(1, 10_000, 24, 'bars over which the average change is measured'),
  }),
  holt: z.strictObject({
    alpha: real(0.001, 1, 0.3, 'level smoothing'),
    beta: real(0.001, 1, 0.1, 'trend smoothing'),
    damping: real(0.5, 1, 1, 'trend damping φ; 1 = classic Holt'),
  }),
  ridge: z.strictObject({
    lags: integer(1, 48, 2, 'past one-bar log-returns used as features'),
    trainWindow: integer(0, 1_000_000, 0, 'most recent training samples (bars); 0 = all'),
    lambda: real(0, 1000, 0.3, 'penalty relative to mean feature variance'),
  }),
  consensus: z.strictObject({
    members: z
      .string()
      .regex(MEMBER_LIST, 'expected name(key=value,…) joined by +')
      .default('movingAverage+linearTrend+momentum')
      .describe('member models, joined by +'),
    weights: z
      .string()
      .regex(WEIGHT_LIST, 'expected inverseMae or numbers joined by +')
      .default('0.4+0.4+0.2')
      .describe('static weights joined by +, or inverseMae'),
    errorWindow: integer(1, 10_000, 168, 'trailing forecasts scored for inverseMae weights'),
  }),
} as const satisfies Record<string, z.ZodObject>;

export type ModelName = keyof typeof MODEL_PARAMS;

/**
 * Every model the platform knows, in `MODEL_PARAMS`' order: a PredictionModel's `algorithm`
 * enum, the CLI's spec language and the dashboard's choices are made from it.
 */
export const MODEL_NAMES = Object.keys(MODEL_PARAMS) as [ModelName, ...ModelName[]];

export type ModelParams<N extends ModelName> = z.output<(typeof MODEL_PARAMS)[N]>;
