/**
 * What a view has for one selection (a coin, a horizon, a window…), identified by `key`: the
 * newest answer, and why the last attempt failed (null once one succeeds).
 */
export interface KeyedResult<T> {
  key: string;
  value: T | null;
  error: string | null;
}

export function succeeded<T>(key: string, value: T): KeyedResult<T> {
  return { key, value, error: null };
}

/** A failed refresh keeps what the selection showed (still true, if older), and says why. */
export function failed<T>(
  previous: KeyedResult<T> | null,
  key: string,
  error: string,
): KeyedResult<T> {
  return { key, value: previous?.key === key ? previous.value : null, error };
}

/** What to show for `key`: never another selection's data or error (null value: loading). */
export function resultFor<T>(result: KeyedResult<T> | null, key: string): KeyedResult<T> {
  return result?.key === key ? result : { key, value: null, error: null };
}
