/**
 * Our symbols ↔ a provider's ids: a built-in table that `spec.symbolMap` extends and
 * overrides. Reverse lookups read ids case-insensitively (`bitcoin`, `XBT`).
 */
export class SymbolBook {
  private readonly forward: Map<string, string>;
  private readonly reverse = new Map<string, string>();

  constructor(
    builtin: Readonly<Record<string, string>>,
    overrides: Readonly<Record<string, string>> = {},
  ) {
    this.forward = new Map(Object.entries({ ...builtin, ...overrides }));
    // Built-in first so a user's mapping wins the reverse lookup too.
    for (const [symbol, id] of [...Object.entries(builtin), ...Object.entries(overrides)]) {
      this.reverse.set(id.toUpperCase(), symbol);
    }
  }

  /** The provider's id for our symbol, when the table or the user names one. */
  idOf(symbol: string): string | undefined {
    return this.forward.get(symbol);
  }

  /** Our symbol for a provider id, when the table or the user names one. */
  symbolOf(id: string): string | undefined {
    return this.reverse.get(id.toUpperCase());
  }
}
