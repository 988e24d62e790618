/**
 * One JetStream filter for a subject family keyed by resource and symbol
 * (`ticks.<namespace>.<source>.<symbol>`, `predictions.<namespace>.<model>.<symbol>`) plus
 * an exact in-process check: nats-server 2.9 takes a single filter per consumer, so lists of
 * several values are narrowed here instead. Resources are given by key (`namespace/name`).
 */
export interface SubjectSelection {
  /** The narrowest single filter subject that covers the selection. */
  filter: string;
  /** Whether a subject of the family is selected (exact, per token). */
  matches(subject: string): boolean;
}

export function selectSubjects(
  prefix: string,
  family: 'ticks' | 'predictions',
  keys: readonly string[] | undefined,
  symbols: readonly string[] | undefined,
): SubjectSelection {
  // A key's two tokens are the subject's namespace and name tokens.
  const resourceTokens = keys && keys.length === 1 ? keys[0]!.replace('/', '.') : '*.*';
  const symbolToken = symbols && symbols.length === 1 ? symbols[0]! : '*';
  const keySet = keys ? new Set(keys) : undefined;
  const symbolSet = symbols ? new Set(symbols) : undefined;
  return {
    filter: `${prefix}${family}.${resourceTokens}.${symbolToken}`,
    matches(subject) {
      const parts = subject.split('.');
      if (parts.length < 4) return false;
      const key = `${parts.at(-3)}/${parts.at(-2)}`;
      const symbol = parts.at(-1)!;
      return (!keySet || keySet.has(key)) && (!symbolSet || symbolSet.has(symbol));
    },
  };
}
