// No zod here: every dashboard page labels resources, and only the Sources & models page
// needs the schemas (the `./label` subpath keeps them out of the other pages' bundles).

/**
 * Where a manifest read from a file without `metadata.namespace` lives (kubectl's rule), and
 * the current namespace locally.
 */
export const DEFAULT_NAMESPACE = 'default';

/**
 * How a key is shown to a person where the current namespace is `namespace`: the name alone
 * in it, the whole key elsewhere (the inverse of `resourceInputSchemaIn` there, so what is
 * shown can be typed back).
 */
export function labelIn(namespace: string): (key: string) => string {
  const prefix = `${namespace}/`;
  return (key) => (key.startsWith(prefix) ? key.slice(prefix.length) : key);
}

/** How a key is shown where the current namespace is `default`: locally. */
export const resourceLabel = labelIn(DEFAULT_NAMESPACE);
