import type { Bus } from './streams.ts';

export interface BusConnectorOptions {
  connect: () => Promise<Bus>;
  onConnected?: (attempts: number) => void;
  onFailed?: (err: unknown, retryInMs: number) => void;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Reaches NATS in the background, retrying with backoff until it answers: a controller started
 * before NATS (or during an outage) gets heartbeats and writer lag once NATS is there, with no
 * restart. After the first connection the NATS client reconnects by itself.
 */
export class BusConnector {
  private bus?: Bus;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: BusConnectorOptions) {}

  /** The bus once connected; undefined until then. */
  readonly current = (): Bus | undefined => this.bus;

  /** Tries once and resolves; when that fails, retries continue in the background. */
  async start(): Promise<void> {
    await this.attempt(1);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.bus?.close();
  }

  private async attempt(attempts: number): Promise<void> {
    let bus: Bus;
    try {
      bus = await this.options.connect();
    } catch (err) {
      if (!this.closed) this.retryLater(attempts, err);
      return;
    }
    // Closed while this attempt was under way: nobody would ever close this connection.
    if (this.closed) return bus.close();
    this.bus = bus;
    this.options.onConnected?.(attempts);
  }

  private retryLater(failures: number, err: unknown): void {
    const base = this.options.initialDelayMs ?? 1_000;
    const delay = Math.min(base * 2 ** (failures - 1), this.options.maxDelayMs ?? 30_000);
    this.options.onFailed?.(err, delay);
    this.timer = setTimeout(() => void this.attempt(failures + 1), delay);
  }
}
