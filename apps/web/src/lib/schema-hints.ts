import { MODEL_PARAMS, type ModelName } from '@cryptoviz/forecast/catalog';
import {
  cryptoSourceSpecSchema,
  predictionModelSpecSchema,
  toStructuralSchema,
  type StructuralSchema,
} from '@cryptoviz/resources';

/**
 * What the forms say about a field besides its label — its default, bounds and choices — read
 * from the CRD's own OpenAPI schema, so a hint can never promise what validation refuses.
 */

const SOURCE_SPEC = toStructuralSchema(cryptoSourceSpecSchema);
const MODEL_SPEC = toStructuralSchema(predictionModelSpecSchema);

function nodeAt(root: StructuralSchema, path: string): StructuralSchema | undefined {
  let node: StructuralSchema | undefined = root;
  for (const key of path.split('.')) {
    const properties = node?.properties as Record<string, StructuralSchema> | undefined;
    node = properties?.[key];
  }
  return node;
}

const shown = (value: unknown) => (Array.isArray(value) ? value.join(', ') : String(value));

/** "empty: 60s", "0 … 100", or both, for a field of a schema node. */
export function hintOf(node: StructuralSchema | undefined): string {
  if (!node) return '';
  const parts: string[] = [];
  const { default: fallback } = node;
  if (fallback !== undefined && (typeof fallback !== 'object' || Array.isArray(fallback))) {
    parts.push(`empty: ${shown(fallback)}`);
  }
  if (node.minimum !== undefined || node.maximum !== undefined) {
    const low = node.exclusiveMinimum ? `> ${String(node.minimum)}` : String(node.minimum ?? '');
    parts.push(node.maximum !== undefined ? `${low} … ${String(node.maximum)}` : `≥ ${low}`);
  }
  return parts.join('; ');
}

export const sourceHint = (path: string) => hintOf(nodeAt(SOURCE_SPEC, path));
export const modelHint = (path: string) => hintOf(nodeAt(MODEL_SPEC, path));

/** The choices of an enum field, e.g. replay.align → original, now. */
export function sourceChoices(path: string): readonly string[] {
  return (nodeAt(SOURCE_SPEC, path)?.enum as string[] | undefined) ?? [];
}

export interface ParamField {
  key: string;
  description: string;
  hint: string;
}

/**
 * The parameters an algorithm takes, from the forecasting library's schema of them. A
 * consensus takes none in a PredictionModel: its members carry theirs.
 */
export function paramFieldsOf(algorithm: string): ParamField[] {
  if (algorithm === 'consensus' || !(algorithm in MODEL_PARAMS)) return [];
  const schema = toStructuralSchema(MODEL_PARAMS[algorithm as ModelName]);
  const properties = (schema.properties ?? {}) as Record<string, StructuralSchema>;
  return Object.entries(properties).map(([key, node]) => ({
    key,
    description: typeof node.description === 'string' ? node.description : '',
    hint: hintOf(node),
  }));
}
