import { ExponentialBackoff, noJitterGenerator, type IBackoff } from 'cockatiel';
import type { Bus } from './streams.ts';

export interface BusConnectorOptions {
  connect: () => Promise<Bus>;
  onConnected?: (attempts: number) => void;
  onFailed?: (err: unknown, retryInMs: number) => void;
}

/** 1 s after the first failed attempt, doubling up to 30 s. */
const CONNECT_DELAYS = new ExponentialBackoff({
  generator: noJitterGenerator,
  initialDelay: 1_000,
  maxDelay: 30_000,
});

/**
 * Reaches NATS in the background, retrying with backoff until it answers: a controller started
 * before NATS (or during an outage) gets heartbeats and writer lag once NATS is there, with no
 * restart. After the first connection the NATS client reconnects by itself.
 */
export class BusConnector {
  private bus?: Bus;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private backoff?: IBackoff<unknown>;

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
      if (!this.closed) this.retryLater(attempts + 1, err);
      return;
    }
    // Closed while this attempt was under way: nobody would ever close this connection.
    if (this.closed) return bus.close();
    this.bus = bus;
    this.options.onConnected?.(attempts);
  }

  private retryLater(attempt: number, err: unknown): void {
    this.backoff = (this.backoff ?? CONNECT_DELAYS).next(undefined);
    const delay = this.backoff.duration;
    this.options.onFailed?.(err, delay);
    this.timer = setTimeout(() => void this.attempt(attempt), delay);
  }
}
