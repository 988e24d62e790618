const HOUR_MS = 3_600_000;

/** Parses an hour horizon such as `6h` into hours; anything else is a RangeError naming it. */
export function parseHorizon(text: string): number {
  const match = /^(\d+)h$/.exec(text.trim());
  const hours = match ? Number(match[1]) : Number.NaN;
  if (!(Number.isSafeInteger(hours) && hours >= 1)) {
    throw new RangeError(
      `invalid horizon "${text}": expected a whole number of hours, e.g. 1h or 6h`,
    );
  }
  return hours;
}

export function formatHorizon(hours: number): string {
  return `${hours}h`;
}

export function hoursToMs(hours: number): number {
  return hours * HOUR_MS;
}
