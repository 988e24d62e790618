import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import Scorecard from '../src/lib/components/Scorecard.svelte';
import type { ApiOutputs } from '../src/lib/api.ts';
import { learnNamespace } from '../src/lib/resource-label.ts';
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
  mape: 0.005,
  rmse: 12,
  directionalAccuracy: 0.58,
  directionCalls: 110,
  naiveMae: 10.5,
  skill: 0.05,
  intervalCoverage: 0.9,
  significance: {
    n: 120,
    meanLossDifference: -0.5,
    statistic: -3.1,
    pValue: 0.0024,
    verdict: 'beats-naive',
  },
  calibration: {
    n: 100,
    bins: Array.from({ length: 10 }, (_, i) => ({
      lower: i / 10,
      upper: (i + 1) / 10,
      count: i === 7 ? 95 : i === 9 ? 5 : 0,
      meanConfidence: i === 7 ? 0.74 : i === 9 ? 0.93 : null,
      hitRate: i === 7 ? 0.66 : i === 9 ? 0.8 : null,
    })),
    ece: 0.083,
  },
});

describe('Scorecard', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  const rows = (target: HTMLElement) =>
    [...target.querySelectorAll('[data-testid="scorecard"] tbody tr')].map((tr) =>
      tr.textContent.replace(/\s+/g, ' ').trim(),
    );

  it('names the models of the gateway’s namespace by their bare names, others by their keys', async () => {
    await learnNamespace(() => Promise.resolve({ namespace: 'cryptoviz' }));
    try {
      const view = render(Scorecard, {
        scores: [score('cryptoviz/ridge-btc'), score('team-b/holt-btc')],
        error: null,
        horizonS: 3_600,
        windowLabel: '7 days',
      });
      cleanup = view.destroy;
      const titles = [...view.target.querySelectorAll('[data-testid="scorecard"] tbody .title')];
      expect(titles.map((cell) => cell.textContent.trim())).toEqual([
        'ridge-btc',
        'team-b/holt-btc',
      ]);
    } finally {
      await learnNamespace(() => Promise.resolve({ namespace: 'default' }));
    }
  });

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

  it('reads its verdict from the significance test, with the p-value, and draws each calibration', () => {
    const view = render(Scorecard, {
      scores: [score('ridge-btc'), { ...score('naive-btc'), algorithm: 'naive' }],
      error: null,
      horizonS: 3_600,
      windowLabel: '7 days',
    });
    cleanup = view.destroy;
    const verdictCell = view.target.querySelector('[data-testid="verdict"]')!;
    expect(verdictCell.textContent).toContain('beats naive');
    expect(verdictCell.textContent).toContain('p = 0.002');
    expect(rows(view.target)[0]).toContain('90%');
    // Fractions in the data, percentages on screen: MAPE 0.005 and 58 % of directions right.
    expect(rows(view.target)[0]).toContain('0.50%');
    expect(rows(view.target)[0]).toContain('58%');
    // One diagram: naive calls no direction.
    const diagrams = view.target.querySelectorAll('[data-testid="reliability"]');
    expect(diagrams).toHaveLength(1);
    const bins = diagrams[0]!.querySelectorAll('[data-testid="reliability-bin"]');
    expect([...bins].map((bin) => bin.getAttribute('data-faint'))).toEqual(['false', 'true']);
    expect(diagrams[0]!.querySelector('[data-testid="calibration-reading"]')!.textContent).toBe(
      'When it says 74%, it is right 66% of the time (95 of its 100 calls).',
    );
    expect(diagrams[0]!.querySelector('[data-testid="ece"]')!.textContent).toContain('8.3 points');
  });
});
