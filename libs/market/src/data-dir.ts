import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { DATA_PATH_PATTERN } from '@cryptoviz/resources';

/**
 * The directory replay files are read from; their paths are relative to it. Unset, a worker
 * uses its working directory (so the shipped samples run from the repository root), and the
 * gateway checks paths by the schema alone (in a cluster it does not see the fetchers' files).
 */
export const dataDirEnv = {
  CRYPTOVIZ_DATA_DIR: z.string().min(1).optional(),
};

export class DataPathError extends Error {
  override name = 'DataPathError';
}

/** Node's error code (ENOENT, EACCES…): says what went wrong without the absolute path. */
function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'unknown error';
}

/**
 * The real file a replay path names, once every symlink is followed; refused unless it is a
 * regular file inside `dataDir`. Messages never name the absolute directory nor quote the
 * file, since they reach logs and the public health view.
 */
export async function resolveDataFile(dataDir: string, path: string): Promise<string> {
  if (!DATA_PATH_PATTERN.test(path)) {
    throw new DataPathError(
      "must be relative to the data directory, with no '..', leading '/' or '//'",
    );
  }
  let root: string;
  try {
    root = await realpath(dataDir);
  } catch (err) {
    throw new DataPathError(
      `the data directory (CRYPTOVIZ_DATA_DIR) cannot be read (${codeOf(err)})`,
    );
  }
  let real: string;
  try {
    real = await realpath(resolve(root, path));
  } catch (err) {
    throw new DataPathError(
      codeOf(err) === 'ENOENT'
        ? 'no such file in the data directory'
        : `cannot be resolved in the data directory (${codeOf(err)})`,
    );
  }
  const inside = relative(root, real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new DataPathError('leads out of the data directory (through a symlink)');
  }
  // A FIFO or a device inside the directory would hang or flood the reader.
  if (!(await stat(real)).isFile()) throw new DataPathError('is not a regular file');
  return real;
}
