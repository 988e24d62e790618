export type Say = (line: string) => void;

/** How often a step that is still running says so: a silence this long reads as a hang. */
const STILL_EVERY_MS = 15_000;

export function elapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

export interface StepWords<T> {
  /** What starts, as "starting NATS": said at once, and again with "still" while it runs. */
  doing: string;
  /** How it ended, from its result. */
  done: (value: T) => string;
}

/**
 * One step of start-up, told as it happens: what starts, a reminder every few seconds while it
 * runs (a first dashboard build on a busy machine takes minutes, and a silent terminal looks
 * stuck), and how it ended with the time it took.
 */
export async function step<T>(say: Say, words: StepWords<T>, work: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  const took = () => elapsed(performance.now() - startedAt);
  say(`• ${words.doing}…`);
  const reminder = setInterval(
    () => say(`• still ${words.doing} (${took()} so far)…`),
    STILL_EVERY_MS,
  );
  try {
    const value = await work();
    say(`• ${words.done(value)} (${took()})`);
    return value;
  } finally {
    clearInterval(reminder);
  }
}
