import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import Scorecard from '../src/lib/components/Scorecard.svelte';
import type { ApiOutputs } from '../src/lib/api.ts';
import { render } from './mount.ts';
import { reactiveProps } from './reactive-props.svelte.ts';

type Score = ApiOutputs['predictions']['accuracy'][number];

const score = (model: string, horizonS = 3_600): Score => ({
  model,
  algorithm: 'ridge',
  source: 'sim',
  symbol: 'BTC',
  horizonS,
  n: 120,
  mae: 10,
  mape: 0.5,
  rmse: 12,
  directionalAccuracy: 58,
  skill: 0.05,
});

describe('Scorecard', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  const rows = (target: HTMLElement) =>
    [...target.querySelectorAll('[data-testid="scorecard"] tbody tr')].map((tr) =>
      tr.textContent!.replace(/\s+/g, ' ').trim(),
    );

  it('says it is loading, then lists the models scored at the chosen horizon', () => {
    const props = reactiveProps<{
      scores: Score[] | null;
      error: string | null;
      horizonS: number;
      windowLabel: string;
    }>({ scores: null, error: null, horizonS: 3_600, windowLabel: '7 days' });
    const view = render(Scorecard, props);
    cleanup = view.destroy;
    expect(rows(view.target)).toEqual(['Loading…']);

    props.scores = [score('ridge-btc'), score('holt-btc', 21_600)];
    flushSync();
    expect(rows(view.target)).toHaveLength(1);
    expect(rows(view.target)[0]).toContain('ridge-btc');

    props.scores = [];
    flushSync();
    expect(rows(view.target)).toEqual(['No scored forecasts in this window yet.']);
  });

  it('shows a failure in its own panel, over the scores it still has, until a read succeeds', () => {
    const props = reactiveProps<{
      scores: Score[] | null;
      error: string | null;
      horizonS: number;
      windowLabel: string;
    }>({ scores: [score('ridge-btc')], error: 'timeout', horizonS: 3_600, windowLabel: '24 h' });
    const view = render(Scorecard, props);
    cleanup = view.destroy;
    const alert = view.target.querySelector('[data-testid="scorecard-error"]')!;
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toContain('timeout');
    expect(rows(view.target)[0]).toContain('ridge-btc');

    props.scores = null;
    flushSync();
    expect(rows(view.target)).toEqual(['No scores to show.']);

    props.scores = [score('ridge-btc')];
    props.error = null;
    flushSync();
    expect(view.target.querySelector('[data-testid="scorecard-error"]')).toBeNull();
  });
});
