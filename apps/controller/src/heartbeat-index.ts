import type { KV } from '@nats-io/kv';
import { decodeJson, heartbeatSchema, type Heartbeat } from '@cryptoviz/bus';

/**
 * Every worker's latest heartbeat, kept current by watching the KV bucket (one watch instead of
 * a read per reconcile: with a thousand resources, reads would dominate).
 */
export class HeartbeatIndex {
  private readonly beats = new Map<string, Heartbeat>();
  private stopWatch?: () => void;
  private live = false;

  async start(kv: KV): Promise<void> {
    const watch = await kv.watch({ key: '>' });
    this.stopWatch = () => watch.stop();
    this.live = true;
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation !== 'PUT') {
          this.beats.delete(entry.key);
          continue;
        }
        const decoded = decodeJson(heartbeatSchema, entry.value);
        if (decoded.ok) this.beats.set(entry.key, decoded.value);
      }
      this.live = false;
    })().catch(() => (this.live = false));
  }

  /** All heartbeats, or undefined while they cannot be read. */
  snapshot(): Heartbeat[] | undefined {
    return this.live ? [...this.beats.values()] : undefined;
  }

  stop(): void {
    this.stopWatch?.();
  }
}
