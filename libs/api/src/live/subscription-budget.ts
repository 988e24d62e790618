import { TRPCError } from '@trpc/server';

/**
 * Caps live subscriptions: each one holds a JetStream consumer, so their number is a
 * resource like connections. A cap per client keeps one client from taking them all.
 */
export class SubscriptionBudget {
  #open = 0;
  readonly #byClient = new Map<string, number>();

  constructor(
    readonly max: number,
    readonly maxPerClient: number = max,
  ) {}

  get open(): number {
    return this.#open;
  }

  /** Takes a slot or refuses with TOO_MANY_REQUESTS; the returned function gives it back. */
  acquire(client: string): () => void {
    const mine = this.#byClient.get(client) ?? 0;
    if (mine >= this.maxPerClient) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `too many live subscriptions from this client (${this.maxPerClient}); close some first`,
      });
    }
    if (this.#open >= this.max) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `too many live subscriptions (${this.max}); try again later`,
      });
    }
    this.#open++;
    this.#byClient.set(client, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#open--;
      const left = (this.#byClient.get(client) ?? 1) - 1;
      if (left > 0) this.#byClient.set(client, left);
      else this.#byClient.delete(client);
    };
  }
}
