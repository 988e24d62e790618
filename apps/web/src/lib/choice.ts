/**
 * A picker's choice kept while it is still offered, else the first option (null when none):
 * another coin may not come from the source that was chosen for the last one.
 */
export function keptChoice(choice: string | null, options: readonly string[]): string | null {
  return choice !== null && options.includes(choice) ? choice : (options[0] ?? null);
}
