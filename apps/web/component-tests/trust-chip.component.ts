import { afterEach, describe, expect, it } from 'vitest';
import TrustChip from '../src/lib/components/TrustChip.svelte';
import { verdict } from '../src/lib/scorecard.ts';
import { render } from './mount.ts';

describe('TrustChip', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());
  const worse = () =>
    verdict({
      skill: -0.04,
      significance: { verdict: 'worse-than-naive', pValue: 0.012, n: 200 },
    });

  it('labels a model worse than naive, its reason in the text as well as on hover', () => {
    const view = render(TrustChip, { verdict: worse() });
    cleanup = view.destroy;
    const chip = view.target.querySelector('[data-trust]')!;
    expect(chip.getAttribute('data-trust')).toBe('worse-than-naive');
    expect(chip.textContent).toContain('worse than naive');
    expect(chip.querySelector('[data-testid="verdict-p"]')!.textContent).toBe('p = 0.01');
    expect(chip.getAttribute('title')).toContain('Assuming no change does better, by 4.0%');
    // A title reaches neither keyboard, touch nor most screen readers; text does.
    const hidden = chip.querySelector('.visually-hidden');
    expect(hidden?.textContent).toContain('Assuming no change does better, by 4.0%');
  });

  it('prints the reason beside the chip when asked, and says it only once', () => {
    const view = render(TrustChip, { verdict: worse(), showReason: true });
    cleanup = view.destroy;
    const chip = view.target.querySelector('[data-trust]')!;
    expect(chip.getAttribute('title')).toBeNull();
    expect(chip.textContent).not.toContain('Assuming no change');
    expect(view.target.querySelector('[data-testid="trust-reason"]')!.textContent).toContain(
      'Assuming no change does better, by 4.0%',
    );
  });
});
