import { setTimeout as delay } from 'node:timers/promises';
import type { TickProvider } from '@cryptoviz/market';
import type { Logger } from '@cryptoviz/runtime';
import { timesBySymbol, type Backfiller } from './backfiller.ts';
import type { FetcherStatus } from './fetcher-status.ts';
import type { HeldOutbox } from './held-outbox.ts';
import type { FetcherMetrics } from './metrics.ts';
import type { PollRecord } from './poll-record.ts';

export interface PollLoopParts {
  provider: TickProvider;
  log: Logger;
  source: string;
  symbols: readonly string[];
  intervalMs: number;
  status: FetcherStatus;
  metrics: FetcherMetrics;
  outbox: HeldOutbox;
  backfiller: Backfiller;
  record: PollRecord;
  signal: AbortSignal;
}

/**
 * Polls the provider on the source's interval (or when it says) and publishes what it gets,
 * until the signal aborts or the provider has no more data; after failures it waits longer,
 * and on recovery fills the gap the provider missed.
 */
export async function pollLoop(parts: PollLoopParts): Promise<void> {
  const { provider, log, source, symbols, intervalMs, status, metrics, signal } = parts;
  const { outbox, backfiller, record } = parts;
  while (!signal.aborted) {
    const started = performance.now();
    let waitMs = intervalMs;
    try {
      const result = await provider.poll(signal);
      const recovering = status.consecutiveFailures > 0;
      status.polls++;
      record.recordSuccess();
      // Held ticks cover a NATS outage themselves; a gap is only what the provider missed.
      if (recovering && !outbox.holdsTicks)
        await backfiller.fillGap(
          provider,
          timesBySymbol(symbols, () => status.newestTickTime),
        );
      await outbox.publish(result);
      if (result.exhausted) {
        status.exhausted = true;
        log.info({ source }, 'provider has no more data; idling');
        return;
      }
      waitMs = result.nextPollInMs ?? intervalMs;
    } catch (err) {
      if (signal.aborted) return;
      waitMs = record.recordFailure(err);
    } finally {
      metrics.pollSeconds.observe({ source }, (performance.now() - started) / 1000);
    }
    await sleep(waitMs, signal);
  }
}

/** Waits between polls; resolves at once when asked to stop, even if that was earlier. */
const sleep = (ms: number, signal: AbortSignal) =>
  delay(ms, undefined, { signal }).catch(() => undefined);
