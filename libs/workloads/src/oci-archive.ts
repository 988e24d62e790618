import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** What an image runs, in the OCI image config's terms. */
export interface ImageConfig {
  entrypoint: string[];
  env: Record<string, string>;
  user: string;
  workingDir: string;
}

/**
 * GNU tar options that make an archive depend on its files' contents and names only, so the
 * same rootfs gives the same layer digest.
 */
export const REPRODUCIBLE_TAR = [
  '--sort=name',
  '--mtime=@0',
  '--owner=0',
  '--group=0',
  '--numeric-owner',
  '--format=gnu',
];

const run = promisify(execFile);

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Wraps `rootfs` into a single-layer OCI image archive (an image layout in a tar) that
 * `ctr images import` and `docker load` accept, named `ref`: no registry, no image tool.
 */
export async function writeOciArchive(
  rootfs: string,
  ref: string,
  config: ImageConfig,
  outFile: string,
): Promise<void> {
  const layout = mkdtempSync(join(tmpdir(), 'cryptoviz-oci-'));
  try {
    const blobs = join(layout, 'blobs/sha256');
    mkdirSync(blobs, { recursive: true });
    const blob = (data: Buffer) => {
      const digest = sha256(data);
      writeFileSync(join(blobs, digest), data);
      return { digest: `sha256:${digest}`, size: data.length };
    };
    const layerFile = join(layout, 'layer.tar');
    await run('tar', [...REPRODUCIBLE_TAR, '-C', rootfs, '-cf', layerFile, '.']);
    // Uncompressed: the layer's digest is then also its diff id.
    const layer = blob(readFileSync(layerFile));
    rmSync(layerFile);
    const imageConfig = blob(
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: {
            User: config.user,
            Env: Object.entries(config.env).map(([name, value]) => `${name}=${value}`),
            Entrypoint: config.entrypoint,
            WorkingDir: config.workingDir,
          },
          rootfs: { type: 'layers', diff_ids: [layer.digest] },
          history: [{ created_by: 'cryptoviz build:image' }],
        }),
      ),
    );
    const manifest = blob(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...imageConfig },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
        }),
      ),
    );
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...manifest,
            annotations: {
              'io.containerd.image.name': ref,
              'org.opencontainers.image.ref.name': ref.slice(ref.lastIndexOf(':') + 1),
            },
          },
        ],
      }),
    );
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    mkdirSync(dirname(outFile), { recursive: true });
    const partial = `${outFile}.partial-${process.pid}`;
    await run('tar', [
      ...REPRODUCIBLE_TAR,
      '-C',
      layout,
      '-cf',
      partial,
      'oci-layout',
      'index.json',
      'blobs',
    ]);
    renameSync(partial, outFile);
  } finally {
    rmSync(layout, { recursive: true, force: true });
  }
}
