/**
 * `npm run crds`: writes crds/<plural>.cryptoviz.dev.yaml from the zod schemas, and the same
 * bytes into the chart's crds/ folder (Helm installs CRDs from there), so neither is ever
 * copied by hand; a test fails when either drifts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRD_KINDS, crdFileName } from '../crd/definitions.ts';
import { renderCrdYaml } from '../yaml.ts';

const REPO_DIR = join(import.meta.dirname, '../../../..');
const CRD_DIRS = [join(REPO_DIR, 'crds'), join(REPO_DIR, 'charts/cryptoviz/crds')];

for (const kind of CRD_KINDS) {
  const yaml = renderCrdYaml(kind);
  for (const dir of CRD_DIRS) {
    const path = join(dir, crdFileName(kind));
    writeFileSync(path, yaml);
    process.stdout.write(`wrote ${path}\n`);
  }
}
