import { z } from 'zod';
import { parseOrThrow } from './issues.ts';
import { resourceNameSchema } from './names.ts';

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

/** Where a manifest without `metadata.namespace` lives: kubectl's rule, locally as well. */
export const DEFAULT_NAMESPACE = 'default';

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

/** The ref of a key; throws an error naming `field` and what is wrong with the key. */
export function parseResourceKey(key: string, field = 'resource'): ResourceRef {
  const [namespace, name] = parseOrThrow(resourceKeySchema, key, field).split('/') as [
    string,
    string,
  ];
  return { namespace, name };
}

/**
 * What a person types for a resource (a CLI argument, a gateway input): `namespace/name`, or
 * a bare name, meaning the `default` namespace as kubectl does. The one place that rule lives.
 */
export const resourceInputSchema = z
  .string()
  .max(127)
  .transform((input) => (input.includes('/') ? input : `${DEFAULT_NAMESPACE}/${input}`))
  .pipe(resourceKeySchema);

/**
 * How a key is shown to a person: the name alone in `default`, the whole key elsewhere (the
 * inverse of {@link resourceInputSchema}, so what is shown can be typed back).
 */
export function resourceLabel(key: string): string {
  const prefix = `${DEFAULT_NAMESPACE}/`;
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}
