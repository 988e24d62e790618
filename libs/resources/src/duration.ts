import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Parses Go-style durations as Kubernetes users write them: `30s`, `5m`, `1h30m`. */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) throw new Error(`"${text}" is not a duration such as 30s, 5m or 1h`);
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    ms += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return ms;
}

export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

export const DURATION_PATTERN = DURATION.source;

/**
 * A duration string with a lower bound, kept as written (the CR keeps what the user wrote).
 * The API server checks the bound with CEL; CEL's duration() has no `d` unit, so a value with
 * days passes there on the pattern alone (any whole day is above every lower bound we use).
 */
export function durationSchema(min: string) {
  const minMs = parseDuration(min);
  return z
    .string()
    .max(32)
    .regex(DURATION, 'must be a duration such as 30s, 5m or 1h')
    .refine(
      (text) => !DURATION.test(text) || parseDuration(text) >= minMs,
      `must be at least ${min}`,
    )
    .meta({
      'x-kubernetes-validations': [
        {
          rule: `self.contains('d') || duration(self) >= duration('${min}')`,
          message: `must be at least ${min}`,
        },
      ],
    });
}
