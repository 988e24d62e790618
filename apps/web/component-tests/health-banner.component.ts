import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import HealthBanner from '../src/lib/components/HealthBanner.svelte';
import type { ApiOutputs } from '../src/lib/api.ts';
import { render } from './mount.ts';
import { reactiveProps } from './reactive-props.svelte.ts';

type Health = ApiOutputs['health']['pipeline'];

function health(status: Health['status'], problems: Health['problems']): Health {
  return { status, problems } as Health;
}

const stale = (age: number) => ({
  severity: 'warning' as const,
  message: `source sim: newest tick is ${age} s old`,
});

describe('HealthBanner', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  const text = (target: HTMLElement, testid: string) =>
    target.querySelector(`[data-testid="${testid}"]`)!.textContent.trim();

  it('says all is well, politely, when the pipeline is healthy', () => {
    const view = render(HealthBanner, { health: health('ok', []) });
    cleanup = view.destroy;
    expect(text(view.target, 'health-banner')).toContain('All systems normal');
    expect(view.target.querySelector('[data-testid="health-status"]')!.getAttribute('role')).toBe(
      'status',
    );
    expect(text(view.target, 'health-status')).toBe('All systems normal.');
    expect(text(view.target, 'health-alert')).toBe('');
  });

  it('lists errors before warnings when something is wrong', () => {
    const view = render(HealthBanner, {
      health: health('down', [
        stale(95),
        { severity: 'error', message: 'no writer is running: ticks are not stored' },
      ]),
    });
    cleanup = view.destroy;
    const banner = view.target.querySelector('[data-testid="health-banner"]')!;
    expect(banner.textContent).toContain('The pipeline is down.');
    const items = [...banner.querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toEqual([
      'no writer is running: ticks are not stored',
      'source sim: newest tick is 95 s old',
    ]);
  });

  it('announces a change of status, not every refresh, and interrupts only for an outage', () => {
    const props = reactiveProps({ health: health('degraded', [stale(95)]) });
    const view = render(HealthBanner, props);
    cleanup = view.destroy;
    const banner = view.target.querySelector('[data-testid="health-banner"]')!;
    // The banner's text changes with every snapshot: it must not be (inside) a live region.
    expect(banner.closest('[role="alert"], [role="status"], [aria-live]')).toBeNull();
    expect(text(view.target, 'health-status')).toBe('The pipeline is degraded.');
    const announced = view.target.querySelector('[data-testid="health-status"]')!.firstChild;

    props.health = health('degraded', [stale(100)]);
    flushSync();
    expect(banner.textContent).toContain('100 s old');
    expect(text(view.target, 'health-status')).toBe('The pipeline is degraded.');
    expect(view.target.querySelector('[data-testid="health-status"]')!.firstChild).toBe(announced);
    expect(text(view.target, 'health-alert')).toBe('');

    props.health = health('down', [{ severity: 'error', message: 'no writer is running' }]);
    flushSync();
    expect(text(view.target, 'health-alert')).toBe('The pipeline is down.');
    expect(text(view.target, 'health-status')).toBe('');
  });
});
