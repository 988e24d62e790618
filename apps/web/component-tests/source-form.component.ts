import { API_VERSION, type CryptoSource } from '@cryptoviz/resources';
import { afterEach, describe, expect, it, vi } from 'vitest';
import SourceForm from '../src/lib/components/SourceForm.svelte';
import { emptySourceFields, sourceFieldsOf } from '../src/lib/resource-forms.ts';
import { input, render, submit } from './mount.ts';

describe('SourceForm', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('shows the CRD schema errors next to their fields and submits nothing', () => {
    const onsubmit = vi.fn();
    const view = render(SourceForm, {
      fields: emptySourceFields(),
      base: null,
      busy: false,
      onsubmit,
      oncancel: () => undefined,
    });
    cleanup = view.destroy;
    input(view.target, 'name', 'Bad Name');
    input(view.target, 'symbols', '');
    input(view.target, 'interval', 'soon');
    submit(view.target.querySelector('form')!);
    expect(onsubmit).not.toHaveBeenCalled();
    const hint = (name: string) => view.target.querySelector(`#${name}-hint`)!.textContent;
    expect(hint('name')).toContain('DNS-1123');
    expect(hint('symbols')).toContain('at least one symbol');
    expect(hint('interval')).toContain('duration');
    expect(view.target.querySelector('input[name="name"]')!.getAttribute('aria-invalid')).toBe(
      'true',
    );
    expect(view.target.querySelector('[role="alert"]')).not.toBeNull();
  });

  it('hands a valid manifest over, symbols upper-cased', () => {
    const onsubmit = vi.fn();
    const view = render(SourceForm, {
      fields: emptySourceFields(),
      base: null,
      busy: false,
      onsubmit,
      oncancel: () => undefined,
    });
    cleanup = view.destroy;
    input(view.target, 'name', 'kraken-eu');
    input(view.target, 'symbols', 'btc, eth sol');
    submit(view.target.querySelector('form')!);
    expect(onsubmit).toHaveBeenCalledOnce();
    expect(onsubmit.mock.calls[0]![0]).toMatchObject({
      kind: 'CryptoSource',
      metadata: { name: 'kraken-eu' },
      spec: { provider: 'synthetic', symbols: ['BTC', 'ETH', 'SOL'], interval: '60s' },
    });
  });

  it('keeps the name fixed while editing, and the settings the form does not show', () => {
    const onsubmit = vi.fn();
    const base = {
      apiVersion: API_VERSION,
      kind: 'CryptoSource',
      metadata: { name: 'gecko' },
      spec: {
        provider: 'coingecko',
        symbols: ['BTC'],
        quote: 'USD',
        interval: '60s',
        apiKeySecretRef: { name: 'gecko-key', key: 'token' },
        backfillHours: 0,
        maxSymbolsPerWorker: 50,
        suspend: false,
      },
    } as CryptoSource;
    const view = render(SourceForm, {
      fields: sourceFieldsOf(base),
      base,
      busy: false,
      onsubmit,
      oncancel: () => undefined,
    });
    cleanup = view.destroy;
    expect(view.target.querySelector<HTMLInputElement>('input[name="name"]')!.disabled).toBe(true);
    expect(view.target.querySelector('button[type="submit"]')!.textContent).toContain('Save');
    input(view.target, 'symbols', 'BTC, ETH');
    submit(view.target.querySelector('form')!);
    expect(onsubmit).toHaveBeenCalledOnce();
    expect(onsubmit.mock.calls[0]![0]).toEqual({
      ...base,
      spec: { ...base.spec, symbols: ['BTC', 'ETH'] },
    });
  });
});
