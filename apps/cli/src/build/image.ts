import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BUILD_DIR, ensureDashboardBuild } from '@cryptoviz/web/build';
import {
  copyHostFile,
  DEFAULT_IMAGE,
  IMAGE_APP_DIR,
  IMAGE_ENTRYPOINT,
  IMAGE_UID,
  cachedArchivePath,
  removeOlderArchives,
  sharedLibraries,
  writeOciArchive,
  type ImageConfig,
} from '@cryptoviz/workloads';
import { ensureCompiledPlatform } from './compile.ts';

/** The replay data the samples name (`data/market/…`), shipped so that they run anywhere. */
const SAMPLE_DATA_DIR = fileURLToPath(new URL('../../../../data/market', import.meta.url));

/** Where node goes in the rootfs: on the image's PATH, as the entrypoint names it bare. */
const NODE_PATH = '/usr/bin/node';

/** What the image runs: `node /app/dist/cryptoviz.js <role|command>` (the role as args). */
export const IMAGE_CONFIG: ImageConfig = {
  entrypoint: [...IMAGE_ENTRYPOINT],
  env: {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    NODE_ENV: 'production',
    // The bundled dashboard server cannot tell where its build is from its own location.
    WEB_BUILD_DIR: `${IMAGE_APP_DIR}/dist/web`,
    // Replay sources name files under it (the sample data ships in data/market), and the
    // gateway checks a manifest's files exist there.
    CRYPTOVIZ_DATA_DIR: IMAGE_APP_DIR,
  },
  user: `${IMAGE_UID}:${IMAGE_UID}`,
  workingDir: IMAGE_APP_DIR,
};

/** Bump when the rootfs's layout changes, so cached images built by older code are not reused. */
const LAYOUT_VERSION = '3';

/**
 * The rootfs: this machine's node and the libraries it links, the compiled platform and the
 * dashboard, a non-root user — no shell, no package manager, nothing else.
 */
function writeRootfs(rootfs: string, node: string, compiledDir: string, dashboardDir: string) {
  // The layer's root entry becomes the container's `/`: a temporary folder's 0700 would shut
  // the image's user out of everything.
  chmodSync(rootfs, 0o755);
  copyHostFile(rootfs, node, NODE_PATH);
  for (const library of sharedLibraries(node)) copyHostFile(rootfs, library);
  const app = join(rootfs, IMAGE_APP_DIR.slice(1));
  cpSync(compiledDir, join(app, 'dist'), { recursive: true, dereference: true });
  cpSync(dashboardDir, join(app, 'dist/web'), { recursive: true, dereference: true });
  cpSync(SAMPLE_DATA_DIR, join(app, 'data/market'), { recursive: true, dereference: true });
  mkdirSync(join(rootfs, 'etc'));
  writeFileSync(
    join(rootfs, 'etc/passwd'),
    `root:x:0:0:root:/root:/sbin/nologin\ncryptoviz:x:${IMAGE_UID}:${IMAGE_UID}:cryptoviz:${IMAGE_APP_DIR}:/sbin/nologin\n`,
  );
  writeFileSync(join(rootfs, 'etc/group'), `root:x:0:\ncryptoviz:x:${IMAGE_UID}:\n`);
  mkdirSync(join(rootfs, 'tmp'));
  chmodSync(join(rootfs, 'tmp'), 0o1777);
}

export interface BuiltImage {
  ref: string;
  file: string;
  bytes: number;
  /** False when a cached archive of the same content was found. */
  built: boolean;
}

/**
 * The platform's one image as an OCI archive, built from this checkout without Docker or a
 * registry (`ctr -n k8s.io images import FILE`), and cached by the fingerprint of what goes in.
 */
export async function buildImage(
  say: (line: string) => void,
  ref: string = DEFAULT_IMAGE,
): Promise<BuiltImage> {
  const compiledDir = dirname(await ensureCompiledPlatform(say));
  await ensureDashboardBuild(say);
  const dashboardDir = realpathSync(DEFAULT_BUILD_DIR);
  const node = realpathSync(process.execPath);
  // The builds' folder names carry their sources' fingerprints.
  const hash = createHash('sha256')
    .update([LAYOUT_VERSION, ref, basename(compiledDir), basename(dashboardDir)].join('\0'))
    .update(readFileSync(node));
  for (const name of readdirSync(SAMPLE_DATA_DIR).sort()) {
    hash.update(name).update(readFileSync(join(SAMPLE_DATA_DIR, name)));
  }
  const key = hash.digest('hex').slice(0, 16);
  const file = cachedArchivePath('cryptoviz', key);
  if (existsSync(file)) return { ref, file, bytes: statSync(file).size, built: false };
  say(`• building the image ${ref}…`);
  const rootfs = mkdtempSync(join(tmpdir(), 'cryptoviz-rootfs-'));
  try {
    writeRootfs(rootfs, node, compiledDir, dashboardDir);
    await writeOciArchive(rootfs, ref, IMAGE_CONFIG, file);
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
  removeOlderArchives('cryptoviz', file);
  return { ref, file, bytes: statSync(file).size, built: true };
}
