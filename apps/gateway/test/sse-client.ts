/** One server-sent event as a browser's EventSource would see it. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  /** When the response headers arrived (`performance.now()` clock). */
  openedAt: number;
  /** Next event that is not a keep-alive ping (or the `connected` preamble). */
  next(timeoutMs?: number): Promise<SseEvent>;
  /** When the next keep-alive ping arrived (`performance.now()` clock), read as it arrives. */
  nextPing(timeoutMs?: number): Promise<number>;
  close(): void;
}

/** tRPC control events a browser client handles itself: never data. */
const CONTROL_EVENTS = new Set(['connected', 'restore-id']);

function parseBlock(block: string): SseEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('id:')) id = line.slice(3).trim();
    else if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0 && id === undefined) return undefined;
  return { id, event, data: data.join('\n') };
}

/**
 * A minimal SSE reader over fetch, so a test controls exactly what a reconnecting browser
 * sends (the Last-Event-ID header) and when the connection drops. The stream is read from the
 * moment it opens, whether or not a test waits on it, so a ping's arrival time is when it came.
 */
export async function openSse(
  url: string,
  options: { lastEventId?: string; headers?: Record<string, string> } = {},
): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: {
      accept: 'text/event-stream',
      ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
      ...options.headers,
    },
    signal: abort.signal,
  });
  const openedAt = performance.now();
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  const pings: number[] = [];
  let ended: Error | undefined;
  let wake = () => {};
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const notify = () => {
    const woken = wake;
    changed = new Promise<void>((resolve) => (wake = resolve));
    woken();
  };

  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        const at = performance.now();
        buffer += chunk.value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const parsed = parseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (!parsed || CONTROL_EVENTS.has(parsed.event)) continue;
          if (parsed.event === 'ping') pings.push(at);
          else events.push(parsed);
        }
        notify();
      }
      ended = new Error('SSE stream ended');
    } catch (err) {
      ended = abort.signal.aborted ? new Error('SSE stream closed') : (err as Error);
    }
    notify();
  })();

  const take = async <T>(queue: T[], what: string, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (queue.length > 0) return queue.shift()!;
      if (ended) throw ended;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no SSE ${what} within ${timeoutMs} ms`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        changed,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining))),
      ]);
      clearTimeout(timer);
    }
  };

  return {
    status: response.status,
    openedAt,
    next: (timeoutMs = 10_000) => take(events, 'event', timeoutMs),
    nextPing: (timeoutMs = 10_000) => take(pings, 'ping', timeoutMs),
    close: () => abort.abort(),
  };
}
