import type { DecodedTicks } from '@cryptoviz/bus';
import type { Logger } from '@cryptoviz/runtime';
import { persistFailure, type Persister } from './persist.ts';
import type { SeriesBook } from './series-book.ts';

export interface TicksHandlerParts {
  book: SeriesBook;
  persister: Persister;
  log: Logger;
  /** Ticks that could not be read, or of a series this worker does not serve. */
  onIgnored: (count: number) => void;
}

/**
 * What following does with each message of ticks: builds bars, and when one closes, forecasts
 * every horizon, scores what it realizes and persists both.
 */
export function ticksHandler(parts: TicksHandlerParts) {
  const { book, persister, log } = parts;
  // Ticks the catch-up already saw come again; those of closed bars are late and ignored, and
  // a re-forecast bar is stored once by its key.
  return async function onMessage({ ticks, problems }: DecodedTicks): Promise<void> {
    parts.onIgnored(problems.length);
    for (const tick of ticks) {
      if (!book.wants(tick.source, tick.symbol)) {
        parts.onIgnored(1);
        continue;
      }
      const entry = book.get(tick.source, tick.symbol);
      const closed = entry.bars.push(Date.parse(tick.time), tick.price);
      if (closed.length === 0) continue;
      const { predictions, realized } = book.forecast(entry, closed);
      try {
        await persister.persist(predictions, realized);
      } catch (err) {
        log.error({ err: (err as Error).message }, persistFailure(err));
      }
    }
  };
}
