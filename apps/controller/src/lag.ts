import type { JetStreamManager } from '@nats-io/jetstream';

/**
 * Pending messages of a durable consumer (not yet delivered plus delivered but unacked), read
 * at most once per `cacheMs` per consumer; undefined when the consumer does not exist.
 */
export class ConsumerLag {
  private readonly cache = new Map<string, { at: number; pending: number | undefined }>();

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly cacheMs = 5_000,
  ) {}

  async pending(stream: string, consumer: string): Promise<number | undefined> {
    const key = `${stream}/${consumer}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < this.cacheMs) return cached.pending;
    let pending: number | undefined;
    try {
      const info = await this.jsm.consumers.info(stream, consumer);
      pending = info.num_pending + info.num_ack_pending;
    } catch {
      pending = undefined;
    }
    this.cache.set(key, { at: Date.now(), pending });
    return pending;
  }
}
