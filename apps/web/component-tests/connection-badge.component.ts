import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ConnectionBadge from '../src/lib/components/ConnectionBadge.svelte';
import { follow } from '../src/lib/live-status.ts';
import { render } from './mount.ts';

describe('ConnectionBadge', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('says the stream is offline after an error nothing retries, not that it reconnects', () => {
    const view = render(ConnectionBadge, {});
    let fail: (err: unknown) => void = () => undefined;
    const close = follow(
      'ticks',
      (handlers) => {
        fail = handlers.onError;
        return { unsubscribe: () => undefined };
      },
      () => undefined,
    );
    cleanup = () => {
      close();
      view.destroy();
    };
    fail(new Error('too many subscriptions'));
    flushSync();
    const badge = view.target.querySelector('[data-testid="connection"]')!;
    expect(badge.textContent).toContain('Offline — reload to retry');
    expect(badge.textContent).not.toContain('Reconnecting');
  });
});
