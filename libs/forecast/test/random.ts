/** Deterministic standard normals (Box–Muller over a 32-bit LCG). */
export function seededNormal(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** A seeded geometric random walk of `length` closes starting at 100, `volatility` per bar. */
export function randomWalk(length: number, seed: number, volatility = 0.01): number[] {
  const normal = seededNormal(seed);
  const closes = [100];
  while (closes.length < length) closes.push(closes.at(-1)! * Math.exp(volatility * normal()));
  return closes;
}
