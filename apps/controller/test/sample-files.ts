import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const samplesDir = join(import.meta.dirname, '../../../k8s-dev/samples');

/** Every sample manifest, sub-folders included. */
export function sampleFiles(dir = samplesDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sampleFiles(join(dir, entry.name))
      : /\.ya?ml$/.test(entry.name)
        ? [join(dir, entry.name)]
        : [],
  );
}
