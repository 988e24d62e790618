import { z } from 'zod';
import { parseOrThrow } from './issues.ts';
import { resourceNameSchema } from './names.ts';
import { DEFAULT_NAMESPACE } from './resource-label.ts';

export { DEFAULT_NAMESPACE, labelIn, resourceLabel } from './resource-label.ts';

/**
 * A resource's identity: its namespace and name, as in Kubernetes. Subjects, heartbeats,
 * database rows, the gateway's API and the dashboard's URLs all key a resource by it, so two
 * namespaces may each hold a resource of one name.
 */
export const resourceRefSchema = z.strictObject({
  namespace: resourceNameSchema,
  name: resourceNameSchema,
});
export type ResourceRef = z.infer<typeof resourceRefSchema>;

/** A ref as one string, `namespace/name` (the Kubernetes convention): rows, ids, URLs. */
export function resourceKey(ref: ResourceRef): string {
  return `${ref.namespace}/${ref.name}`;
}

/** The ref of a manifest's metadata, a missing namespace being {@link DEFAULT_NAMESPACE}. */
export function refOf(resource: {
  metadata: { name: string; namespace?: string | undefined };
}): ResourceRef {
  return {
    namespace: resource.metadata.namespace ?? DEFAULT_NAMESPACE,
    name: resource.metadata.name,
  };
}

/** The key of a manifest: what its rows, heartbeats and workers are keyed by. */
export function resourceKeyOf(resource: {
  metadata: { name: string; namespace?: string | undefined };
}): string {
  return resourceKey(refOf(resource));
}

/**
 * A key `namespace/name` (a field of data the platform writes, such as a tick's `source`):
 * the string itself, validated; errors name the part that is wrong.
 */
export const resourceKeySchema = z
  .string()
  .max(127)
  .superRefine((key, ctx) => {
    const parts = key.split('/');
    if (parts.length !== 2) {
      ctx.addIssue({ code: 'custom', message: 'must be namespace/name, e.g. default/binance' });
      return;
    }
    const parsed = resourceRefSchema.safeParse({ namespace: parts[0], name: parts[1] });
    for (const issue of parsed.error?.issues ?? []) {
      ctx.addIssue({ code: 'custom', message: `${issue.path.join('.')} ${issue.message}` });
    }
  });

/**
 * Keys already parsed. Every tick names its source, and its subject is built from the key on
 * publish and checked on receipt: a platform has few resources, so each is validated once.
 */
const parsedKeys = new Map<string, Readonly<ResourceRef>>();
const PARSED_KEYS_KEPT = 1_024;

/** The ref of a key; throws an error naming `field` and what is wrong with the key. */
export function parseResourceKey(key: string, field = 'resource'): Readonly<ResourceRef> {
  const known = parsedKeys.get(key);
  if (known) return known;
  const [namespace, name] = parseOrThrow(resourceKeySchema, key, field).split('/') as [
    string,
    string,
  ];
  const ref = Object.freeze({ namespace, name });
  if (parsedKeys.size >= PARSED_KEYS_KEPT) parsedKeys.clear();
  parsedKeys.set(key, ref);
  return ref;
}

function inputSchema(namespace: string) {
  return z
    .string()
    .max(127)
    .transform((input) => (input.includes('/') ? input : `${namespace}/${input}`))
    .pipe(resourceKeySchema);
}

// A gateway reads every request's input in its one namespace: its schema is built once.
const inputSchemas = new Map<string, ReturnType<typeof inputSchema>>();

/**
 * What a person types for a resource (a CLI argument, a gateway input) as the key it means
 * where the current namespace is `namespace` (kubectl's rule): `namespace/name` as it is, or a
 * bare name, one of the current namespace. That is the namespace the gateway serves in a
 * cluster, `default` locally. The one place that rule lives.
 */
export function resourceInputSchemaIn(namespace: string): ReturnType<typeof inputSchema> {
  let schema = inputSchemas.get(namespace);
  if (!schema) {
    schema = inputSchema(namespace);
    inputSchemas.set(namespace, schema);
  }
  return schema;
}

/** What a person types, read where the current namespace is `default`: locally. */
export const resourceInputSchema = resourceInputSchemaIn(DEFAULT_NAMESPACE);
