// No zod here: every dashboard page labels resources, and only the Sources & models page
// needs the schemas (the `./label` subpath keeps them out of the other pages' bundles).

/** Where a manifest without `metadata.namespace` lives: kubectl's rule, locally as well. */
export const DEFAULT_NAMESPACE = 'default';

/**
 * How a key is shown to a person: the name alone in `default`, the whole key elsewhere (the
 * inverse of `resourceInputSchema`, so what is shown can be typed back).
 */
export function resourceLabel(key: string): string {
  const prefix = `${DEFAULT_NAMESPACE}/`;
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}
