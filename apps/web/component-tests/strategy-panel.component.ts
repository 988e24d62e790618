import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import StrategyPanel from '../src/lib/components/StrategyPanel.svelte';
import { render } from './mount.ts';

const props = (models: string[]) => ({
  models,
  symbol: 'BTC',
  source: 'sim',
  horizonS: 3_600,
  windowDays: 7,
  windowLabel: '7 days',
  refresh: 0,
});

const settle = () => vi.waitFor(() => expect(document.querySelector('[aria-busy]')).toBeNull());

describe('StrategyPanel', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => {
    cleanup?.();
    vi.unstubAllGlobals();
  });

  it('says there are no signals when no model trades here', () => {
    const view = render(StrategyPanel, props([]));
    cleanup = view.destroy;
    expect(view.target.textContent).toContain('No signals yet in this window.');
    expect(view.target.querySelector('[data-testid="equity-chart"]')).toBeNull();
  });

  it('says it is loading, then why the gateway could not answer', async () => {
    // No gateway behind this page: the network refuses, as a browser's fetch does when the
    // gateway is down.
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const view = render(StrategyPanel, props(['ridge-btc']));
    cleanup = view.destroy;
    expect(view.target.querySelector('[aria-busy="true"]')?.textContent).toBe('Loading…');
    await settle();
    flushSync();
    const alert = view.target.querySelector('[role="alert"]')!;
    expect(alert.textContent).toBe('Could not load: Failed to fetch');
  });

  it('names the fee field when the fee is out of range, and asks nothing of the gateway', () => {
    const view = render(StrategyPanel, props(['ridge-btc']));
    cleanup = view.destroy;
    const fee = view.target.querySelector<HTMLInputElement>('input[name="fee"]')!;
    expect(fee.value).toBe('0.1');
    fee.value = '12';
    fee.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    expect(view.target.querySelector('[data-testid="fee-error"]')!.textContent).toBe(
      'Fee per side: at most 10 %',
    );
    expect(fee.getAttribute('aria-invalid')).toBe('true');
    expect(view.target.querySelector('[aria-busy]')).toBeNull();
  });
});
