import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_ENTRYPOINT, IMAGE_UID } from '@cryptoviz/workloads';
import { buildImage, type BuiltImage } from '../src/build/image.ts';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

describe('the OCI image archive (npm run build:image)', () => {
  let image: BuiltImage;
  let layout: string;
  let rootfs: string;
  /** A blob of the layout, checked against its descriptor's digest and size. */
  const blob = (descriptor: Descriptor): Buffer => {
    const data = readFileSync(
      join(layout, 'blobs/sha256', descriptor.digest.slice('sha256:'.length)),
    );
    expect(`sha256:${createHash('sha256').update(data).digest('hex')}`).toBe(descriptor.digest);
    expect(data.length).toBe(descriptor.size);
    return data;
  };
  const json = <T>(descriptor: Descriptor) => JSON.parse(blob(descriptor).toString()) as T;

  beforeAll(async () => {
    // Built once per change to what goes in, then taken from ~/.cache/cryptoviz/images.
    image = await buildImage(() => undefined, 'cryptoviz.test/cryptoviz:test');
    layout = mkdtempSync(join(tmpdir(), 'oci-layout-'));
    execFileSync('tar', ['-xf', image.file, '-C', layout]);
    rootfs = mkdtempSync(join(tmpdir(), 'oci-rootfs-'));
  }, 600_000);
  afterAll(() => {
    for (const dir of [layout, rootfs]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function manifestAndConfig() {
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
      manifests: Descriptor[];
    };
    expect(index.manifests).toHaveLength(1);
    const [descriptor] = index.manifests;
    expect(descriptor!.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(descriptor!.annotations?.['io.containerd.image.name']).toBe(image.ref);
    expect(descriptor!.annotations?.['org.opencontainers.image.ref.name']).toBe('test');
    const manifest = json<{ schemaVersion: number; config: Descriptor; layers: Descriptor[] }>(
      descriptor!,
    );
    const config = json<{
      os: string;
      architecture: string;
      config: { User: string; Entrypoint: string[]; Env: string[]; WorkingDir: string };
      rootfs: { diff_ids: string[] };
    }>(manifest.config);
    return { manifest, config };
  }

  it('is an OCI layout whose index, manifest and config agree, digests and sizes checked', () => {
    expect(JSON.parse(readFileSync(join(layout, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const { manifest, config } = manifestAndConfig();
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([
      'application/vnd.oci.image.layer.v1.tar',
    ]);
    // Uncompressed, the layer's digest is its diff id.
    expect(config.rootfs.diff_ids).toEqual([manifest.layers[0]!.digest]);
    expect(config).toMatchObject({ os: 'linux', architecture: 'amd64' });
    expect(image.bytes).toBe(statSync(image.file).size);
  });

  it('runs the platform entry as a non-root user', () => {
    const { config } = manifestAndConfig();
    expect(config.config.User).toBe(`${IMAGE_UID}:${IMAGE_UID}`);
    expect(config.config.Entrypoint).toEqual(IMAGE_ENTRYPOINT);
    expect(config.config.Env).toContain('WEB_BUILD_DIR=/app/dist/web');
    expect(config.config.Env).toContain('CRYPTOVIZ_DATA_DIR=/app');
  });

  it('holds node, the libraries it links, the compiled platform, the dashboard, the sample data and the user', () => {
    const { manifest } = manifestAndConfig();
    const layerFile = join(layout, 'blobs/sha256', manifest.layers[0]!.digest.slice(7));
    // The root entry is the container's `/`: the image's user must be able to enter it.
    const listing = execFileSync('tar', ['-tvf', layerFile], { encoding: 'utf8' }).split('\n');
    expect(listing.find((line) => line.endsWith(' ./'))).toMatch(/^drwxr-xr-x /);
    execFileSync('tar', ['-xf', layerFile, '-C', rootfs]);
    for (const path of [
      'usr/bin/node',
      'app/dist/cryptoviz.js',
      'app/dist/web/handler.js',
      'app/dist/assets/libs/store/migrations',
      // What the sample replay source names, relative to CRYPTOVIZ_DATA_DIR.
      'app/data/market/binance-btcusdt-1h.csv',
    ]) {
      expect(existsSync(join(rootfs, path)), path).toBe(true);
    }
    const ldd = execFileSync('ldd', ['/usr/bin/node'], { encoding: 'utf8' });
    for (const [library] of ldd.matchAll(/\/\S+\.so\S*/g)) {
      expect(existsSync(join(rootfs, library)), library).toBe(true);
    }
    expect(readFileSync(join(rootfs, 'etc/passwd'), 'utf8')).toContain(
      `cryptoviz:x:${IMAGE_UID}:${IMAGE_UID}:`,
    );
    expect((statSync(join(rootfs, 'tmp')).mode & 0o7777).toString(8)).toBe('1777');

    // The image's node, with only the image's libraries, runs the image's platform.
    const loader = join(rootfs, 'lib64/ld-linux-x86-64.so.2');
    const libraryPath = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu']
      .map((dir) => join(rootfs, dir))
      .join(':');
    const run = spawnSync(
      loader,
      [
        '--library-path',
        libraryPath,
        join(rootfs, 'usr/bin/node'),
        join(rootfs, 'app/dist/cryptoviz.js'),
        'backtest',
        '--list-models',
      ],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('holt');
  });
});
