import type { Counter, Logger } from '@cryptoviz/runtime';

/** At most one log line per provider field in this long; the metric counts every one. */
export const IGNORED_FIELD_LOG_INTERVAL_MS = 10 * 60_000;

/**
 * Keeps count of the optional fields a provider sent of an unexpected type or value (the
 * ticks were kept without them): a metric per provider and field, and a log line per field
 * at most once an interval, with how many since the last, so an API change shows up in the
 * log without filling it.
 */
export class IgnoredFields {
  /** Every field ever ignored, with its count: for the status. */
  readonly totals: Record<string, number> = {};
  private readonly unreported = new Map<string, number>();
  private readonly loggedAt = new Map<string, number>();

  constructor(
    private readonly where: { source: string; provider: string },
    private readonly counter: Counter<'source' | 'provider' | 'field'>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  record(fields: Readonly<Record<string, number>> | undefined): void {
    for (const [field, count] of Object.entries(fields ?? {})) {
      this.totals[field] = (this.totals[field] ?? 0) + count;
      this.counter.inc({ ...this.where, field }, count);
      this.unreported.set(field, (this.unreported.get(field) ?? 0) + count);
      const last = this.loggedAt.get(field);
      if (last !== undefined && this.now() - last < IGNORED_FIELD_LOG_INTERVAL_MS) continue;
      this.log.warn(
        { ...this.where, field, count: this.unreported.get(field) },
        'ignored an optional field of an unexpected type or value; the ticks were kept',
      );
      this.loggedAt.set(field, this.now());
      this.unreported.delete(field);
    }
  }
}
