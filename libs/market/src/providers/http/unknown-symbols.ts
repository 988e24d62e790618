import { ProviderError, type SkippedTick } from '../provider.ts';
import type { PollContext } from './adapter.ts';
import { mergeParsed, type Parsed } from './ticks.ts';

/** How long a symbol the provider called unknown is left out before it is tried again. */
export const UNKNOWN_SYMBOL_RETRY_MS = 60 * 60_000;

/**
 * Binance and Kraken answer one request for all symbols, and refuse all of it when one
 * symbol is unknown (delisted, misspelt). So one bad symbol would blank the whole source.
 * This finds the culprits by asking for each symbol alone, reports them as skipped (once, so
 * the DLQ gets one notice, not one a poll), and leaves them out of the shared request for a
 * while; the others keep publishing.
 */
export class UnknownSymbols {
  /** Symbol → when it may be tried again. */
  readonly #until = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** The symbols worth asking for now. */
  active(symbols: readonly string[]): string[] {
    const now = this.now();
    return symbols.filter((symbol) => (this.#until.get(symbol) ?? 0) <= now);
  }

  async poll(
    context: PollContext,
    request: (context: PollContext) => Promise<Parsed>,
  ): Promise<Parsed> {
    const symbols = this.active(context.symbols);
    let parsed: Parsed;
    try {
      parsed = symbols.length > 0 ? await request({ ...context, symbols }) : emptyPoll();
    } catch (error) {
      if (!(error instanceof ProviderError) || error.kind !== 'unknown-symbol') throw error;
      if (symbols.length < 2) throw error;
      parsed = await this.#findCulprits(context, symbols, request);
    }
    return parsed;
  }

  /** One request per symbol: the unknown ones are benched, the others' ticks kept. */
  async #findCulprits(
    context: PollContext,
    symbols: readonly string[],
    request: (context: PollContext) => Promise<Parsed>,
  ): Promise<Parsed> {
    const parts: Parsed[] = [];
    const culprits: SkippedTick[] = [];
    const retryAt = this.now() + UNKNOWN_SYMBOL_RETRY_MS;
    for (const symbol of symbols) {
      try {
        parts.push(await request({ ...context, symbols: [symbol] }));
      } catch (error) {
        if (!(error instanceof ProviderError) || error.kind !== 'unknown-symbol') throw error;
        this.#until.set(symbol, retryAt);
        const until = new Date(retryAt).toISOString();
        // A skipped reason reaches the DLQ and the public health view: no provider words.
        culprits.push({
          symbol,
          reason: `unknown-symbol: ${error.summary} (left out of polls until ${until})`,
        });
      }
    }
    const merged = mergeParsed(parts);
    merged.skipped.push(...culprits);
    return merged;
  }
}

function emptyPoll(): Parsed {
  return mergeParsed([]);
}
