export interface CurrentRequest {
  /** Aborts the fetch and drops its answer, should that be on its way already. */
  cancel(): void;
  /** Settles once the answer or failure was handled (or dropped). */
  settled: Promise<void>;
}

/**
 * Starts a request whose answer matters only until it is cancelled: when the selection it was
 * made for changes, or the view goes away. A slow answer for the previous selection then never
 * overwrites the current one, which a plain `.then` would let it do.
 */
export function startRequest<T>(
  load: (signal: AbortSignal) => Promise<T>,
  onAnswer: (value: T) => void,
  onFailure: (err: unknown) => void,
): CurrentRequest {
  const controller = new AbortController();
  const { signal } = controller;
  const settled = new Promise<T>((resolve) => resolve(load(signal))).then(
    (value) => {
      if (!signal.aborted) onAnswer(value);
    },
    (err: unknown) => {
      if (!signal.aborted) onFailure(err);
    },
  );
  return { cancel: () => controller.abort(), settled };
}
