import { z } from 'zod';

/** Symbols worker `index` of `count` carries: every count-th one, so shards stay even. */
export function shardSymbols(symbols: readonly string[], index: number, count: number): string[] {
  return symbols.filter((_, i) => i % count === index);
}

/** The `SHARD` variable every sharded worker reads: `index/count`, e.g. `1/3`. */
export const shardEnvSchema = z
  .string()
  .regex(/^\d+\/\d+$/, 'must look like 0/1 (index/count)')
  .transform((text) => {
    const [index, count] = text.split('/').map(Number) as [number, number];
    return { index, count };
  })
  .refine(({ index, count }) => count >= 1 && index < count, 'index must be below count')
  .default({ index: 0, count: 1 });
