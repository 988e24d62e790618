import { afterEach, describe, expect, it } from 'vitest';
import Conditions from '../src/lib/components/Conditions.svelte';
import { render } from './mount.ts';

type Props = Parameters<typeof Conditions>[1];
type Condition = Props['conditions'][number];

const condition = (
  type: Condition['type'],
  status: Condition['status'],
  reason: string,
  message = `${type} ${reason}`,
) => ({ type, status, reason, message }) as Condition;

describe('Conditions', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  const chips = (target: HTMLElement) =>
    [...target.querySelectorAll('[data-condition]')].map((chip) => ({
      text: chip.textContent?.trim(),
      title: chip.getAttribute('title'),
    }));

  it('shows each condition as a phrase, its reason spelled out and its message on hover', () => {
    const view = render(Conditions, {
      conditions: [
        condition('Ready', 'False', 'NoWorkers', 'no fetcher reports for this CryptoSource'),
        condition('Flowing', 'Unknown', 'NoDataYet'),
        condition('Degraded', 'False', 'NoErrors'),
      ],
    });
    cleanup = view.destroy;
    expect(chips(view.target)).toEqual([
      { text: 'Not ready: no workers running', title: 'no fetcher reports for this CryptoSource' },
      { text: 'No data yet', title: 'Flowing NoDataYet' },
      { text: 'No errors', title: 'Degraded NoErrors' },
    ]);
  });

  it('spells out a reason it has no phrase for, rather than showing the identifier', () => {
    const view = render(Conditions, {
      conditions: [
        condition('Ready', 'True', 'WorkersReady'),
        condition('Degraded', 'True', 'TLSHandshakeFailed'),
      ],
    });
    cleanup = view.destroy;
    expect(chips(view.target).map((chip) => chip.text)).toEqual([
      'Ready',
      'Problem: TLS handshake failed',
    ]);
  });
});
