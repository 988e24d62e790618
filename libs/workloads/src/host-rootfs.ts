import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where built OCI archives are cached: `~/.cache/cryptoviz/images` (or `$XDG_CACHE_HOME`'s). */
export function imageCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cryptoviz/images');
}

/**
 * The shared libraries the dynamic linker loads for `binaries`, as `ldd` lists them: one ldd
 * for all (it is a shell script running the loader, slow per call on a busy machine).
 */
export function sharedLibraries(...binaries: string[]): string[] {
  const listing = execFileSync('ldd', binaries, { encoding: 'utf8' });
  // Given several files, ldd heads each one's list with its name, unindented.
  const libraries = listing
    .split('\n')
    .filter((line) => /^\s/.test(line))
    .flatMap((line) => [...line.matchAll(/(\/\S+\.so[^\s]*)/g)].map((match) => match[1]!));
  return [...new Set(libraries)];
}

/** Copies a host file to `path` inside `rootfs` (by default its own path), links followed. */
export function copyHostFile(rootfs: string, file: string, path = file): void {
  const target = join(rootfs, path);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(realpathSync(file), target);
}

/** The cached archive of image `name` built from inputs whose fingerprint is `key`. */
export function cachedArchivePath(name: string, key: string): string {
  return join(imageCacheDir(), `${name}-${key}.oci.tar`);
}

/**
 * Removes older archives of image `name`, keeping the newest `keep` with `current` among them (a
 * cluster may still be importing the one before); other images' archives are left alone.
 */
export function removeOlderArchives(name: string, current: string, keep = 2): void {
  const folder = dirname(current);
  const mine = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]+\\.oci\\.tar$`);
  const others = readdirSync(folder)
    .filter((entry) => mine.test(entry) && join(folder, entry) !== current)
    .map((entry) => ({ path: join(folder, entry), time: statSync(join(folder, entry)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const old of others.slice(keep - 1)) rmSync(old.path, { force: true });
}
