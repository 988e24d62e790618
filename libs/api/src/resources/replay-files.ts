import { resolveDataFile } from '@cryptoviz/market';
import type { Resource } from '@cryptoviz/resources';

/**
 * Each replay file of a source that does not resolve to a file inside the data directory, as
 * `spec.replay.data.<SYMBOL> "<path>": <why>`. The schema has already refused paths that could
 * leave it; this catches a missing file or a symlink out before a fetcher stumbles on it.
 */
export async function replayFileProblems(resource: Resource, dataDir: string): Promise<string[]> {
  if (resource.kind !== 'CryptoSource' || !resource.spec.replay) return [];
  const problems = await Promise.all(
    Object.entries(resource.spec.replay.data).map(([symbol, path]) =>
      resolveDataFile(dataDir, path).then(
        () => undefined,
        (err: Error) => `spec.replay.data.${symbol} "${path}": ${err.message}`,
      ),
    ),
  );
  return problems.filter((problem) => problem !== undefined);
}
