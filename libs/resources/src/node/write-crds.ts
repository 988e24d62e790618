/** `npm run crds`: writes crds/<plural>.cryptoviz.dev.yaml from the zod schemas. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRD_KINDS, crdFileName, renderCrdYaml } from '../crd/definitions.ts';

export const CRDS_DIR = join(import.meta.dirname, '../../../../crds');

for (const kind of CRD_KINDS) {
  const path = join(CRDS_DIR, crdFileName(kind));
  writeFileSync(path, renderCrdYaml(kind));
  process.stdout.write(`wrote ${path}\n`);
}
