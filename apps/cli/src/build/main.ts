/**
 * `npm run build [-- --out DIR]`: the compiled platform and the dashboard in one folder, as an
 * image holds them (`DIR/cryptoviz.js`, `DIR/web`); `npm run build:image [-- --ref REF]`: the
 * OCI image archive of this machine's node and that folder.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDashboard } from '@cryptoviz/web/build';
import { DEFAULT_IMAGE, ENTRY_FILE } from '@cryptoviz/workloads';
import { compilePlatform, REPO_DIR } from './compile.ts';
import { buildImage } from './image.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string', default: resolve(REPO_DIR, 'dist') },
    ref: { type: 'string', default: process.env.CRYPTOVIZ_IMAGE ?? DEFAULT_IMAGE },
  },
});

if (positionals[0] === 'image') {
  const image = await buildImage(say, values.ref);
  say(`${image.file}: ${image.ref}, ${(image.bytes / 1e6).toFixed(1)} MB`);
  say(`import it with: ctr -n k8s.io images import ${image.file}`);
} else {
  const out = resolve(values.out);
  rmSync(out, { recursive: true, force: true });
  await compilePlatform(out);
  await buildDashboard(resolve(out, 'web'));
  say(
    `${out}: node ${join(out, ENTRY_FILE)} <fetcher|writer|predictor|controller|gateway|web|command>`,
  );
}
