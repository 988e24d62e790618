/**
 * What `up` has started, stopped in reverse order on Ctrl-C, or when a later step fails: a
 * failed start leaves no PostgreSQL, NATS or worker behind.
 */
export class StartedParts {
  private readonly parts: { stop(): Promise<unknown> }[] = [];

  add<T extends { stop(): Promise<unknown> }>(part: T): T {
    this.parts.push(part);
    return part;
  }

  async stopAll(): Promise<void> {
    for (const part of this.parts.splice(0).reverse()) await part.stop().catch(() => undefined);
  }
}
