import { describe, expect, it } from 'vitest';
import {
  formatIssues,
  labelIn,
  parseResourceKey,
  refOf,
  resourceInputSchema,
  resourceInputSchemaIn,
  resourceKey,
  resourceKeySchema,
  resourceLabel,
} from '../src/index.ts';

describe('resource identity', () => {
  it('is namespace/name, and a key parses back to its ref', () => {
    const ref = { namespace: 'team-a', name: 'binance' };
    expect(resourceKey(ref)).toBe('team-a/binance');
    expect(parseResourceKey('team-a/binance')).toEqual(ref);
  });

  it('puts a manifest without a namespace in default, as kubectl does', () => {
    expect(refOf({ metadata: { name: 'binance' } })).toEqual({
      namespace: 'default',
      name: 'binance',
    });
    expect(refOf({ metadata: { name: 'binance', namespace: 'team-b' } })).toEqual({
      namespace: 'team-b',
      name: 'binance',
    });
  });

  it('refuses a key that is not two DNS labels, naming the field and the part', () => {
    expect(() => parseResourceKey('binance', 'source')).toThrow(
      'source: must be namespace/name, e.g. default/binance',
    );
    expect(() => parseResourceKey('Team_A/binance', 'source')).toThrow(
      /^source: namespace must be a DNS-1123 label/,
    );
    expect(() => parseResourceKey('a/b/c')).toThrow(/must be namespace\/name/);
    expect(resourceKeySchema.safeParse('team-a/').success).toBe(false);
  });

  it('takes a bare name from a person as one of the default namespace, and keys as they are', () => {
    expect(resourceInputSchema.parse('binance')).toBe('default/binance');
    expect(resourceInputSchema.parse('team-a/binance')).toBe('team-a/binance');
    expect(resourceInputSchema.safeParse('Binance').success).toBe(false);
  });

  it('shows a key as a name in default and whole elsewhere, which reads back as the same key', () => {
    for (const key of ['default/binance', 'team-a/binance']) {
      expect(resourceInputSchema.parse(resourceLabel(key))).toBe(key);
    }
    expect(resourceLabel('default/binance')).toBe('binance');
    expect(resourceLabel('team-a/binance')).toBe('team-a/binance');
  });

  it('takes a bare name as one of the current namespace, wherever that is', () => {
    const inCryptoviz = resourceInputSchemaIn('cryptoviz');
    expect(inCryptoviz.parse('binance')).toBe('cryptoviz/binance');
    expect(inCryptoviz.parse('team-a/binance')).toBe('team-a/binance');
    expect(inCryptoviz.parse('default/binance')).toBe('default/binance');
    const refused = inCryptoviz.safeParse('Binance');
    expect(refused.success).toBe(false);
    expect(formatIssues(refused.error!)).toMatch(/^name must be a DNS-1123 label/);
    // Locally the current namespace is default: the default versions are these rules there.
    expect(resourceInputSchemaIn('default').parse('binance')).toBe(
      resourceInputSchema.parse('binance'),
    );
  });

  it('shows the current namespace’s keys as bare names, which read back there as the same key', () => {
    const label = labelIn('cryptoviz');
    expect(label('cryptoviz/binance')).toBe('binance');
    expect(label('default/binance')).toBe('default/binance');
    // A namespace whose name begins with the current one's is another namespace.
    expect(label('cryptoviz-b/binance')).toBe('cryptoviz-b/binance');
    for (const key of ['cryptoviz/binance', 'default/binance', 'cryptoviz-b/binance']) {
      expect(resourceInputSchemaIn('cryptoviz').parse(label(key))).toBe(key);
    }
    expect(labelIn('default')('default/binance')).toBe(resourceLabel('default/binance'));
  });
});
