import { ProviderError } from '../provider.ts';
import type { Parsed } from './ticks.ts';
import { mergeParsed } from './ticks.ts';

/** Failures that would hit every symbol alike: no point asking for the others. */
const SHARED_FAILURES = new Set(['auth', 'rate-limited', 'config']);

/**
 * Runs one request per symbol (providers without multi-symbol endpoints), a few at a time.
 * A symbol that fails on its own (unknown product, a transient error) is skipped with the
 * reason so the others still publish; when every symbol fails, the first error is thrown.
 */
export async function perSymbol(
  symbols: readonly string[],
  task: (symbol: string) => Promise<Parsed>,
  shape: string,
  concurrency = 4,
): Promise<Parsed> {
  const parts: Parsed[] = [];
  const failures: { symbol: string; error: ProviderError }[] = [];
  for (let i = 0; i < symbols.length; i += concurrency) {
    const batch = symbols.slice(i, i + concurrency);
    const settled = await Promise.allSettled(batch.map((symbol) => task(symbol)));
    for (const [index, outcome] of settled.entries()) {
      if (outcome.status === 'fulfilled') {
        parts.push(outcome.value);
        continue;
      }
      const error: unknown = outcome.reason;
      if (!(error instanceof ProviderError) || SHARED_FAILURES.has(error.kind)) throw error;
      failures.push({ symbol: batch[index]!, error });
    }
  }
  if (parts.length === 0 && failures.length > 0) throw failures[0]!.error;
  const merged = mergeParsed(parts, shape);
  merged.skipped.push(
    // A skipped reason reaches the DLQ and the public health view: no provider words.
    ...failures.map(({ symbol, error }) => ({ symbol, reason: `${error.kind}: ${error.summary}` })),
  );
  return merged;
}
