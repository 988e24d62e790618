import { z } from 'zod';
import { MODEL_NAMES, MODEL_PARAMS, type ModelName, type ModelParams } from './model-params.ts';
import type { ConsensusWeighting } from './models/consensus.ts';

interface SpecOf<N extends ModelName> {
  readonly name: N;
  readonly params: ModelParams<N>;
  /** The spec as written (trimmed, trailing commas dropped); labels results. */
  readonly text: string;
}

/**
 * A model name with validated parameters (defaults filled in); a consensus also with its
 * members and weighting resolved (`plan`), which is what builds it.
 */
export type ModelSpec = {
  [N in ModelName]: N extends 'consensus'
    ? SpecOf<N> & { readonly plan: ConsensusPlan }
    : SpecOf<N>;
}[ModelName];

/** A model that is not a consensus: what a consensus's members are. */
export type MemberSpec = Exclude<ModelSpec, { name: 'consensus' }>;

/**
 * A model as a PredictionModel resource declares it: an algorithm with numeric parameters
 * and, for a consensus, member objects. Built into a ModelSpec directly (modelSpecFrom), never
 * through the spec language, which is the CLI's.
 */
export interface DeclaredModel {
  algorithm: string;
  params?: Record<string, number>;
  members?: readonly DeclaredMember[];
}

export interface DeclaredMember {
  algorithm: string;
  params?: Record<string, number>;
  /** Static weight; leave out on every member to weight by each member's recent error. */
  weight?: number;
}

export class ModelSpecError extends Error {
  override name = 'ModelSpecError';
}

/**
 * How a consensus combines its members: resolved from its string parameters (the spec
 * language), or given directly by a declared model (`plan` of its ModelSpec).
 */
export interface ConsensusPlan {
  members: MemberSpec[];
  weighting: ConsensusWeighting;
}

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

/**
 * Parses `name` or `name:key=value,key=value`, e.g. `movingAverage:window=20`. Empty parameter
 * segments (a trailing comma) are ignored. Throws ModelSpecError naming the model or parameter
 * at fault and listing the valid ones.
 */
export function parseModelSpec(text: string): ModelSpec {
  const trimmed = text.trim().replace(/[,\s]+$/, '');
  const colon = trimmed.indexOf(':');
  const name = colon === -1 ? trimmed : trimmed.slice(0, colon);
  const paramText = colon === -1 ? '' : trimmed.slice(colon + 1);
  return buildSpec(name, paramText, trimmed);
}

/**
 * Parses a list of model specs: separate words, or joined by `;` or `,` (see
 * `splitModelWords` for how a comma between models is told from one between parameters).
 * Repeated specs are kept once.
 */
export function parseModelList(words: readonly string[]): ModelSpec[] {
  const texts = splitModelWords(words);
  if (texts.length === 0) throw new ModelSpecError('no models given');
  const specs = new Map<string, ModelSpec>();
  for (const text of texts) {
    const spec = parseModelSpec(text);
    if (!specs.has(spec.text)) specs.set(spec.text, spec);
  }
  return [...specs.values()];
}

/** Human-readable list of a model's parameters with bounds and defaults. */
export function describeParameters(name: ModelName): string {
  const schema = z.toJSONSchema(MODEL_PARAMS[name], { io: 'input' }) as {
    properties?: Record<
      string,
      { type?: string; minimum?: number; maximum?: number; default?: unknown }
    >;
  };
  const entries = Object.entries(schema.properties ?? {});
  if (entries.length === 0) return `${name} takes no parameters`;
  return entries
    .map(([key, property]) => {
      const range =
        property.minimum !== undefined ? ` ${property.minimum}..${property.maximum}` : '';
      return `${key} (${property.type ?? 'value'}${range}, default ${String(property.default)})`;
    })
    .join(', ');
}

/**
 * A declared model (a PredictionModel's algorithm, params and members) as a ModelSpec, built
 * from its objects: numbers stay numbers, so nothing valid in the resource can be lost in a
 * round trip through text. `text` is only a label, in the spec language. Throws
 * ModelSpecError naming the member and parameter at fault.
 */
export function modelSpecFrom(declared: DeclaredModel): ModelSpec {
  if (declared.algorithm !== 'consensus') return validSpec(declared.algorithm, declared.params);
  const members = declared.members ?? [];
  if (members.length === 0) throw new ModelSpecError('consensus: needs at least one member');
  const specs = members.map((member, i) => {
    if (member.algorithm === 'consensus') {
      throw new ModelSpecError(`consensus: member ${i}: a consensus cannot be a member`);
    }
    try {
      return validSpec(member.algorithm, member.params, 'member') as MemberSpec;
    } catch (err) {
      throw new ModelSpecError(`consensus: member ${i}: ${(err as Error).message}`);
    }
  });
  const weights = members.map((member) => member.weight);
  const errorWindow = MODEL_PARAMS.consensus.shape.errorWindow.parse(undefined);
  const weighting: ConsensusWeighting = weights.every((weight) => weight !== undefined)
    ? { kind: 'static', weights }
    : { kind: 'inverseMae', errorWindow };
  if (weighting.kind === 'static' && !(weighting.weights.reduce((a, b) => a + b, 0) > 0)) {
    throw new ModelSpecError("consensus: the members' weights must have a positive sum");
  }
  // The spec language's words for it, as a label: never parsed back.
  const params = {
    members: specs.map((member) => member.text).join('+'),
    weights: weighting.kind === 'static' ? weighting.weights.join('+') : 'inverseMae',
    errorWindow,
  };
  return {
    name: 'consensus',
    params,
    text: `consensus:members=${params.members},weights=${params.weights}`,
    plan: { members: specs, weighting },
  };
}

/**
 * A plain model's spec from its name and numeric parameters, labelled in the spec language:
 * `name:key=value,…` alone, `name(key=value,…)` as a consensus member.
 */
function validSpec(
  name: string,
  params: Record<string, number> = {},
  as: 'model' | 'member' = 'model',
): ModelSpec {
  if (!isModelName(name)) throw new ModelSpecError(unknownModelMessage(name));
  const result = MODEL_PARAMS[name].safeParse(params);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? '?');
    throw new ModelSpecError(
      `${name}: invalid parameter "${key}": ${issue.message}; valid parameters: ${describeParameters(name)}`,
    );
  }
  const listed = paramText(params);
  const text = !listed ? name : as === 'member' ? `${name}(${listed})` : `${name}:${listed}`;
  return { name, params: result.data, text } as ModelSpec;
}

const paramText = (params: Record<string, number>) =>
  Object.entries(params)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

/** Resolves a consensus's `members` and `weights` parameters. */
export function planConsensus(params: ModelParams<'consensus'>): ConsensusPlan {
  const members = splitOutsideParentheses(params.members, '+').map(parseMember);
  if (params.weights === 'inverseMae') {
    return { members, weighting: { kind: 'inverseMae', errorWindow: params.errorWindow } };
  }
  const weights = params.weights.split('+').map(Number);
  if (weights.length !== members.length) {
    throw new ModelSpecError(
      `consensus: parameter "weights" has ${weights.length} values for ${members.length} members`,
    );
  }
  if (!(weights.reduce((sum, weight) => sum + weight, 0) > 0)) {
    throw new ModelSpecError('consensus: parameter "weights" must have a positive sum');
  }
  return { members, weighting: { kind: 'static', weights } };
}

/** A consensus member: `name` or `name(key=value,…)`. */
function parseMember(text: string): MemberSpec {
  const open = text.indexOf('(');
  const name = open === -1 ? text : text.slice(0, open);
  const paramText = open === -1 ? '' : text.slice(open + 1, -1);
  if (name === 'consensus') {
    throw new ModelSpecError('consensus: parameter "members": a consensus cannot be a member');
  }
  try {
    return buildSpec(name, paramText, text) as MemberSpec;
  } catch (err) {
    throw new ModelSpecError(`consensus: parameter "members": ${(err as Error).message}`);
  }
}

function buildSpec(name: string, paramText: string, text: string): ModelSpec {
  if (!isModelName(name)) throw new ModelSpecError(unknownModelMessage(name));
  const raw: Record<string, string> = {};
  for (const segment of splitOutsideParentheses(paramText, ',')) {
    if (segment.trim() === '') continue;
    const equals = segment.indexOf('=');
    if (equals === -1) {
      throw new ModelSpecError(
        `${name}: expected key=value, got "${segment}"; valid parameters: ${describeParameters(name)}`,
      );
    }
    const key = segment.slice(0, equals).trim();
    if (key in raw) throw new ModelSpecError(`${name}: parameter "${key}" given twice`);
    raw[key] = segment.slice(equals + 1).trim();
  }
  const schema = MODEL_PARAMS[name];
  for (const key of Object.keys(raw)) {
    if (!(key in schema.shape)) {
      throw new ModelSpecError(
        `${name}: unknown parameter "${key}"; valid parameters: ${describeParameters(name)}`,
      );
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? '?');
    throw new ModelSpecError(
      `${name}: invalid parameter "${key}"="${raw[key] ?? ''}": ${issue.message}; valid parameters: ${describeParameters(name)}`,
    );
  }
  // A consensus is resolved at parse time: it fails here, not at first use.
  if (name === 'consensus') {
    const params = result.data as ModelParams<'consensus'>;
    return { name, params, text, plan: planConsensus(params) };
  }
  return { name, params: result.data, text } as ModelSpec;
}

function unknownModelMessage(name: string): string {
  const valid = `valid models: ${MODEL_NAMES.join(', ')}`;
  const sameLetters = MODEL_NAMES.find((known) => known.toLowerCase() === name.toLowerCase());
  const hint = sameLetters ? `; did you mean "${sameLetters}"?` : '';
  return `unknown model "${name}"${hint}; ${valid}`;
}

/** Splits on `separator` except inside parentheses, so member parameters stay together. */
function splitOutsideParentheses(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * Turns the words of a model list into one spec text per model.
 *
 * Commas separate both models (`naive,ewma`, like --horizons) and a model's parameters
 * (`holt:alpha=0.5,beta=0.1`). A segment is a parameter when it has "=" but no ":", since a
 * parameter is always key=value and only a model's first segment names it with "name:". Commas
 * inside parentheses belong to consensus members (`movingAverage(window=20,…)`) and are kept.
 */
function splitModelWords(words: readonly string[]): string[] {
  return words.flatMap((word) => word.split(/[;\s]+/)).flatMap(groupSegments);
}

function groupSegments(chunk: string): string[] {
  const models: string[][] = [];
  for (const segment of splitOutsideParentheses(chunk, ',')) {
    if (segment === '') continue; // a trailing comma, as in "linearTrend:window=24,"
    if (isParameter(segment)) parametersOf(models, segment, chunk).push(segment);
    else models.push([segment]);
  }
  return models.map((segments) => segments.join(','));
}

function isParameter(segment: string): boolean {
  return segment.includes('=') && !segment.includes(':');
}

/** The segments of the model a parameter belongs to: the one before it in the same chunk. */
function parametersOf(models: string[][], parameter: string, chunk: string): string[] {
  const owner = models.at(-1);
  if (!owner) {
    throw new ModelSpecError(
      `parameter "${parameter}" in "${chunk}" follows no model; write name:key=value, e.g. movingAverage:window=24`,
    );
  }
  return owner;
}
