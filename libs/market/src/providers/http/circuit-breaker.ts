import { ProviderError } from '../provider.ts';
import type { Clock } from './clock.ts';
import type { CircuitState } from './stats.ts';

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  cooldownMs: number;
}

/**
 * Stops calling a provider that keeps failing, so an outage costs one fast error per poll
 * instead of a full round of timeouts and retries. After the cool-down one trial call goes
 * through (half-open): success closes the circuit, failure opens it again. Calls made while
 * the trial runs (an adapter asking for a ticker and stats at once) wait for its outcome
 * rather than fail: a healthy provider's first poll after an outage then succeeds whole.
 *
 * Ours rather than cockatiel's CircuitBreakerPolicy (cockatiel gives the backoffs and retries
 * elsewhere): cockatiel fails the calls made during a half-open trial at once, reads the wall
 * clock where this takes the client's Clock, and its open error is not the transient
 * ProviderError with a Retry-After and a summary without the provider's words that the
 * fetcher's status needs.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedUntil: number | null = null;
  private trial: { done: Promise<void>; finish: () => void } | null = null;
  private lastFailure = { message: '', summary: '' };

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly clock: Clock,
  ) {}

  get state(): CircuitState {
    if (this.openedUntil === null) return 'closed';
    return this.clock.now() < this.openedUntil ? 'open' : 'half-open';
  }

  get openUntil(): number | null {
    return this.state === 'open' ? this.openedUntil : null;
  }

  /** Throws a transient ProviderError saying until when, while calls are not allowed. */
  async admit(): Promise<void> {
    while (this.trial) await this.trial.done;
    const state = this.state;
    if (state === 'closed') return;
    if (state === 'half-open') {
      let finish = () => {};
      const done = new Promise<void>((resolve) => (finish = resolve));
      this.trial = { done, finish };
      return;
    }
    const until = this.openedUntil ?? this.clock.now();
    const open = `circuit breaker open until ${new Date(until).toISOString()} after ${this.failures} consecutive failures`;
    throw new ProviderError(
      'transient',
      `${open} (last: ${this.lastFailure.message})`,
      Math.max(0, until - this.clock.now()),
      `${open} (last: ${this.lastFailure.summary})`,
    );
  }

  private endTrial(): boolean {
    const trial = this.trial;
    this.trial = null;
    trial?.finish();
    return trial !== null;
  }

  succeeded(): void {
    this.failures = 0;
    this.openedUntil = null;
    this.endTrial();
  }

  /** `summary`: the failure without the provider's words (see ProviderError.summary). */
  failed(message: string, summary = message): void {
    this.failures += 1;
    this.lastFailure = { message, summary };
    const trialFailed = this.trial !== null;
    if (trialFailed || this.failures >= this.options.failureThreshold) {
      this.openedUntil = this.clock.now() + this.options.cooldownMs;
    }
    // After the new opening is set, so that the calls waiting for the trial see it.
    this.endTrial();
  }

  /** A call that ended without telling us about the provider's health (e.g. it was aborted). */
  released(): void {
    this.endTrial();
  }
}
