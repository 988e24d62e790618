import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resourceKeyOf, type Resource } from '@cryptoviz/resources';
import { parseManifests } from '@cryptoviz/resources/yaml';

export interface ManifestFile {
  resources: Resource[];
  /**
   * Secret key (`namespace/name`, a missing namespace being `default`) → key → value, from
   * `kind: Secret` documents (stringData or base64 data). A Secret is namespaced, as in a cluster.
   */
  secrets: Map<string, Map<string, string>>;
}

export type ManifestFolder = ManifestFile;

export const isManifestFile = (file: string) => /\.(ya?ml|json)$/.test(file);

/** Parses one file; throws a ManifestError naming the file, document and field on bad input. */
export async function readManifestFile(path: string): Promise<ManifestFile> {
  const { resources, others } = parseManifests(await readFile(path, 'utf8'), path);
  const secrets = new Map<string, Map<string, string>>();
  for (const doc of others) {
    if (doc.kind !== 'Secret') continue;
    const metadata = doc.metadata as { name?: string; namespace?: string } | undefined;
    if (!metadata?.name) continue;
    const values = new Map<string, string>();
    for (const [key, value] of Object.entries((doc.data ?? {}) as Record<string, string>)) {
      values.set(key, Buffer.from(value, 'base64').toString('utf8'));
    }
    for (const [key, value] of Object.entries((doc.stringData ?? {}) as Record<string, string>)) {
      values.set(key, value);
    }
    secrets.set(resourceKeyOf({ metadata: { ...metadata, name: metadata.name } }), values);
  }
  return { resources, secrets };
}

/** Reads every *.yaml / *.yml / *.json file directly in `dir` (sub-folders are not read). */
export async function readManifestFolder(dir: string): Promise<ManifestFolder> {
  const files = (await readdir(dir)).filter(isManifestFile).sort();
  const folder: ManifestFolder = { resources: [], secrets: new Map() };
  for (const file of files) {
    const parsed = await readManifestFile(join(dir, file));
    folder.resources.push(...parsed.resources);
    for (const [key, values] of parsed.secrets) folder.secrets.set(key, values);
  }
  return folder;
}
