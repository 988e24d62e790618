import { describe, expect, it } from 'vitest';
import { predictionModelSpecSchema } from '@cryptoviz/resources';
import { createRegistry } from '@cryptoviz/runtime';
import { predictorMetrics } from '../src/metrics.ts';
import { SeriesBook } from '../src/series-book.ts';

const book = (model: string, sources: string[]) =>
  new SeriesBook(
    model,
    predictionModelSpecSchema.parse({ algorithm: 'naive', symbols: ['BTC'], sources }),
    ['BTC'],
    predictorMetrics(createRegistry('predictor')).skill,
  );

describe('which series a model serves, across namespaces', () => {
  it('reads every source of its own namespace when it names none, and no other namespace’s', () => {
    const teamA = book('team-a/naive-btc', []);
    expect(teamA.wants('team-a/binance', 'BTC')).toBe(true);
    expect(teamA.wants('team-b/binance', 'BTC')).toBe(false);
    expect(teamA.wants('team-a/binance', 'ETH')).toBe(false);
  });

  it('reads the sources it names from its own namespace', () => {
    const teamB = book('team-b/naive-btc', ['binance']);
    expect(teamB.wants('team-b/binance', 'BTC')).toBe(true);
    expect(teamB.wants('team-a/binance', 'BTC')).toBe(false);
    expect(teamB.wants('team-b/kraken', 'BTC')).toBe(false);
  });
});
