import { describe, expect, it } from 'vitest';
import { tickId } from '@cryptoviz/market';
import { sampleTicks } from '@cryptoviz/testkit/ticks';
import {
  decodeTicks,
  encodeJson,
  MAX_TICKS_PER_MESSAGE,
  tickMessages,
  topology,
} from '../src/index.ts';

const topo = topology('codec');
const json = (data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as unknown;

describe('tick messages', () => {
  it('puts one tick of a symbol alone in its message, with the tick as msg id', () => {
    const ticks = sampleTicks(4, 'default/live', undefined, 4);
    const messages = tickMessages(topo, ticks);
    expect(messages.map((m) => m.subject)).toEqual(
      ticks.map((t) => topo.tickSubject({ namespace: 'default', name: 'live' }, t.symbol)),
    );
    expect(messages.map((m) => m.msgId)).toEqual(ticks.map(tickId));
    expect(json(messages[0]!.data)).toEqual(ticks[0]);
    expect(messages.every((m) => m.records === undefined || m.records === 1)).toBe(true);
  });

  it('packs many ticks of a symbol in time order, at most 100 a message, ids from content', () => {
    // 2 symbols × 250 ticks, handed over newest first.
    const ticks = sampleTicks(500, 'default/backfill', undefined, 2).reverse();
    const messages = tickMessages(topo, ticks);
    const btc = messages.filter(
      (m) => m.subject === topo.tickSubject({ namespace: 'default', name: 'backfill' }, 'BTC'),
    );
    expect(btc.map((m) => m.records)).toEqual([100, 100, 50]);
    const first = json(btc[0]!.data) as { time: string }[];
    expect(first.map((t) => t.time)).toEqual(first.map((t) => t.time).sort());
    expect(btc[0]!.msgId).toBe(
      `default/backfill:BTC:${first[0]!.time}/${first.at(-1)!.time}/${MAX_TICKS_PER_MESSAGE}`,
    );
    // The same ticks make the same messages: a retried publish is recognized by JetStream.
    const ids = (list: typeof messages) => list.map((m) => m.msgId).sort();
    expect(ids(tickMessages(topo, [...ticks].reverse()))).toEqual(ids(messages));
  });

  it('decodes what it encodes, either shape', () => {
    const ticks = sampleTicks(30, 'default/roundtrip', undefined, 3);
    const decoded = tickMessages(topo, ticks).flatMap(
      (m) => decodeTicks(topo, m.subject, m.data).ticks,
    );
    expect(decoded).toHaveLength(30);
    expect(new Set(decoded.map(tickId))).toEqual(new Set(ticks.map(tickId)));
    const [one] = tickMessages(topo, ticks.slice(0, 1));
    expect(decodeTicks(topo, one!.subject, one!.data)).toEqual({ ticks: [ticks[0]], problems: [] });
  });

  it('keeps the valid ticks of a message and names each bad one by its place', () => {
    const [a, b, c] = sampleTicks(3, 'default/mixed', undefined, 1);
    const subject = topo.tickSubject({ namespace: 'default', name: 'mixed' }, 'BTC');
    const decoded = decodeTicks(
      topo,
      subject,
      encodeJson([a, { ...b, time: 'yesterday' }, { ...c, source: 'default/other' }]),
    );
    expect(decoded.ticks).toEqual([a]);
    expect(decoded.problems).toEqual([
      expect.stringMatching(/^tick \[1\] invalid: time: /),
      `tick [2] subject ${subject} does not match the tick (expected ${topo.tickSubject({ namespace: 'default', name: 'other' }, 'BTC')})`,
    ]);
  });

  it('refuses a whole message that is not JSON, not ticks, empty, too long or too large', () => {
    const subject = topo.tickSubject({ namespace: 'default', name: 'bad' }, 'BTC');
    const problems = (data: Uint8Array) => decodeTicks(topo, subject, data).problems;
    expect(problems(new TextEncoder().encode('[{"price":'))).toEqual([
      expect.stringMatching(/^invalid JSON: /),
    ]);
    expect(problems(encodeJson('a string'))).toEqual([expect.stringMatching(/^invalid: /)]);
    expect(problems(encodeJson([]))).toEqual(['invalid: holds 0 ticks (1 to 100 allowed)']);
    expect(problems(encodeJson(sampleTicks(101, 'default/bad', undefined, 1)))).toEqual([
      'invalid: holds 101 ticks (1 to 100 allowed)',
    ]);
    expect(problems(new Uint8Array(200 * 1024))).toEqual([
      expect.stringMatching(/^oversized: 204800 bytes exceeds 102400/),
    ]);
  });
});

describe('subjects of resources', () => {
  const teamA = { namespace: 'team-a', name: 'binance' };
  const teamB = { namespace: 'team-b', name: 'binance' };

  it('carry the namespace and the name, so namesakes in two namespaces never share one', () => {
    expect(topo.tickSubject(teamA, 'BTC')).toBe('codec.ticks.team-a.binance.BTC');
    expect(topo.tickSubject(teamB, 'BTC')).not.toBe(topo.tickSubject(teamA, 'BTC'));
    expect(topo.predictionSubject(teamA, 'BTC')).toBe('codec.predictions.team-a.binance.BTC');
  });

  it('filter all, one namespace, one resource or one symbol', () => {
    expect(topo.ticksFilter()).toBe('codec.ticks.>');
    expect(topo.ticksFilter({ namespace: 'team-a' })).toBe('codec.ticks.team-a.*.*');
    expect(topo.ticksFilter(teamA)).toBe('codec.ticks.team-a.binance.*');
    expect(topo.predictionsFilter(undefined, 'ETH')).toBe('codec.predictions.*.*.ETH');
  });

  it('route each tick by its source key, and refuse one published under another key', () => {
    const [a] = sampleTicks(1, 'team-a/binance');
    const [b] = sampleTicks(1, 'team-b/binance');
    const messages = tickMessages(topo, [a!, b!]);
    expect(messages.map((m) => m.subject)).toEqual([
      topo.tickSubject(teamA, a!.symbol),
      topo.tickSubject(teamB, b!.symbol),
    ]);
    const misplaced = decodeTicks(topo, messages[1]!.subject, messages[0]!.data);
    expect(misplaced.ticks).toEqual([]);
    expect(misplaced.problems[0]).toContain('does not match the tick');
  });
});
