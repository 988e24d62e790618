/**
 * One JetStream filter for a two-token subject family (`ticks.<source>.<symbol>`,
 * `predictions.<model>.<symbol>`) plus an exact in-process check: nats-server 2.9 takes a
 * single filter per consumer, so lists of several values are narrowed here instead.
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
  first: readonly string[] | undefined,
  second: readonly string[] | undefined,
): SubjectSelection {
  const token = (values: readonly string[] | undefined) =>
    values && values.length === 1 ? values[0]! : '*';
  const firstSet = first ? new Set(first) : undefined;
  const secondSet = second ? new Set(second) : undefined;
  return {
    filter: `${prefix}${family}.${token(first)}.${token(second)}`,
    matches(subject) {
      const parts = subject.split('.');
      const a = parts.at(-2);
      const b = parts.at(-1);
      return (
        a !== undefined &&
        b !== undefined &&
        (!firstSet || firstSet.has(a)) &&
        (!secondSet || secondSet.has(b))
      );
    },
  };
}
