import { SymbolBook } from './symbols.ts';

/** How an exchange spells trading pairs. */
export interface PairStyle {
  /** Our symbol → the exchange's asset code where they differ (BTC → XBT on Kraken). */
  assets: Readonly<Record<string, string>>;
  /** Our quote → the exchange's quote asset (USD → USDT on Binance). */
  quotes: Readonly<Record<string, string>>;
  join(base: string, quote: string): string;
  /** The base asset of a pair in this quote, or undefined when the pair is in another quote. */
  baseOf(pair: string, quote: string): string | undefined;
  /** Other spellings the exchange answers with (Kraken keys XBTUSD's result as XXBTZUSD). */
  aliases?(base: string, quote: string): string[];
  /** Whether a symbolMap value is already a pair name in any quote (Coinbase's BTC-USDC). */
  isPair?(value: string): boolean;
}

/**
 * Our symbols ↔ an exchange's pair names for one quote. `spec.symbolMap` may name an asset
 * (BTC → XBT), a pair in the source's quote (BTC → XXBTZUSD), or any pair as BASE/QUOTE
 * (BTC → BTC/FDUSD); an entry for the quote itself picks the quote asset (USD → FDUSD).
 */
export class PairBook {
  readonly quoteId: string;
  private readonly assets: SymbolBook;

  constructor(
    private readonly style: PairStyle,
    private readonly symbolMap: Readonly<Record<string, string>>,
    quote: string,
  ) {
    this.assets = new SymbolBook(style.assets, symbolMap);
    this.quoteId = symbolMap[quote] ?? style.quotes[quote] ?? quote;
  }

  /** The pair to request for our symbol. */
  pairOf(symbol: string): string {
    return this.resolve(symbol).pair;
  }

  /** Every name a response may use for our symbol's pair. */
  namesOf(symbol: string): string[] {
    const { pair, base, quote } = this.resolve(symbol);
    const aliases = base === undefined ? [] : (this.style.aliases?.(base, quote) ?? []);
    return [...new Set([pair, ...aliases])];
  }

  /**
   * Our symbol for a pair in a response: among the requested symbols when known, else by
   * splitting off the quote and mapping the base back (XXBT → XBT → BTC).
   */
  symbolOf(pair: string, requested?: readonly string[]): string | undefined {
    if (requested) {
      return requested.find((symbol) =>
        this.namesOf(symbol).some((name) => name.toUpperCase() === pair.toUpperCase()),
      );
    }
    const base = this.style.baseOf(pair, this.quoteId);
    if (base === undefined) return undefined;
    return this.assets.symbolOf(base) ?? base.toUpperCase();
  }

  private resolve(symbol: string): { pair: string; base?: string; quote: string } {
    const mapped = this.symbolMap[symbol];
    const slash = mapped?.indexOf('/') ?? -1;
    if (mapped !== undefined && slash > 0) {
      const [base, quote] = [mapped.slice(0, slash), mapped.slice(slash + 1)];
      return { pair: this.style.join(base, quote), base, quote };
    }
    if (mapped !== undefined && this.style.isPair?.(mapped)) return { pair: mapped, quote: '' };
    const inQuote = mapped === undefined ? undefined : this.style.baseOf(mapped, this.quoteId);
    if (inQuote !== undefined) return { pair: mapped!, base: inQuote, quote: this.quoteId };
    const base = this.assets.idOf(symbol) ?? symbol;
    return { pair: this.style.join(base, this.quoteId), base, quote: this.quoteId };
  }
}
