import { readFile } from 'node:fs/promises';
import { ManifestError, type Resource, type ResourceKind } from '../manifest.ts';
import { parseManifests } from '../yaml.ts';

/**
 * Reads the one resource of `kind` a worker serves from a manifest file (a mounted ConfigMap
 * in a cluster). `variable` names the setting that pointed here, for the error message.
 */
export async function readResourceFile<K extends ResourceKind>(
  path: string,
  kind: K,
  variable: string,
): Promise<Extract<Resource, { kind: K }>> {
  const text = await readFile(path, 'utf8').catch((err: Error) => {
    throw new ManifestError(`${variable} ${path}: ${err.message}`);
  });
  const found = parseManifests(text, path).resources.filter(
    (r): r is Extract<Resource, { kind: K }> => r.kind === kind,
  );
  if (found.length !== 1) {
    throw new ManifestError(`${path}: expected exactly one ${kind}, found ${found.length}`);
  }
  return found[0]!;
}
