import { z } from 'zod';

/** A structural OpenAPI v3 schema as a CustomResourceDefinition holds it. */
export interface StructuralSchema {
  type: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  [keyword: string]: unknown;
}

// JSON Schema keywords a structural schema keeps as they are.
const KEPT = new Set([
  'type',
  'description',
  'default',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'required',
]);
// What zod says for an integer with no bounds of its own: noise in a CRD.
const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

/**
 * Converts a zod schema to a structural OpenAPI v3 schema (what the API server needs for
 * pruning, defaulting and validation): every node typed, no `$ref`, maps as
 * `additionalProperties`, Kubernetes extensions (`x-kubernetes-*`) from the schema's metadata.
 * Throws on what a CRD cannot say, so a schema change cannot silently weaken validation.
 */
export function toStructuralSchema(schema: z.ZodType): StructuralSchema {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    target: 'openapi-3.0',
    unrepresentable: 'throw',
    reused: 'inline',
  });
  return convert(json, '');
}

function convert(node: Record<string, unknown>, path: string): StructuralSchema {
  const where = path || '<root>';
  for (const keyword of ['$ref', 'anyOf', 'oneOf', 'allOf', 'not']) {
    if (keyword in node) throw new Error(`${where}: "${keyword}" has no structural form`);
  }
  const type = node.type;
  if (typeof type !== 'string') throw new Error(`${where}: every node needs a type`);
  const out: StructuralSchema = { type: type as StructuralSchema['type'] };
  for (const [keyword, value] of Object.entries(node)) {
    if (keyword.startsWith('x-kubernetes-')) out[keyword] = value;
    else if (KEPT.has(keyword)) out[keyword] = value;
  }
  // A format says it already; zod's date-time regex uses look-arounds Go's regexp lacks.
  if (out.format) delete out.pattern;
  for (const bound of ['minimum', 'maximum'] as const) {
    if (SAFE_INTEGER_BOUNDS.has(out[bound] as number)) delete out[bound];
  }
  if (Array.isArray(out.required) && out.required.length === 0) delete out.required;
  if (type === 'object') {
    const properties = node.properties as Record<string, Record<string, unknown>> | undefined;
    const additional = node.additionalProperties;
    if (properties) {
      out.properties = Object.fromEntries(
        Object.entries(properties).map(([key, child]) => [key, convert(child, `${path}.${key}`)]),
      );
    } else if (additional && typeof additional === 'object') {
      out.additionalProperties = convert(additional as Record<string, unknown>, `${path}.*`);
    } else {
      throw new Error(`${where}: an object needs properties or a value schema`);
    }
  }
  if (type === 'array') {
    out.items = convert(node.items as Record<string, unknown>, `${path}[]`);
  }
  return out;
}
