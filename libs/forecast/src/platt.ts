/**
 * Platt scaling: P(right | raw) = σ(a·logit(raw) + b), fitted by maximum likelihood (Newton's
 * method on the two parameters). Two parameters cannot chase the noise of a few thousand
 * coin-flip-like outcomes, which an isotonic fit does. A tiny penalty toward the identity map
 * (a = 1, b = 0) keeps the fit defined when every raw confidence is the same.
 */
export class PlattMap {
  private constructor(
    readonly slope: number,
    readonly intercept: number,
  ) {}

  /**
   * Fits from grouped calls: `xs[i]` a raw confidence, `totals[i]` calls made at it, `rights[i]`
   * how many came true. Grouping keeps a refit's cost at the number of groups, not of calls.
   */
  static fit(
    xs: ArrayLike<number>,
    totals: ArrayLike<number>,
    rights: ArrayLike<number>,
    count = xs.length,
  ): PlattMap {
    const logits = new Float64Array(count);
    for (let i = 0; i < count; i++) logits[i] = logit(xs[i]!);
    const penalty = 1e-3;
    let a = 1;
    let b = 0;
    for (let iteration = 0; iteration < 25; iteration++) {
      // Gradient and Hessian of the penalised negative log-likelihood in (a, b).
      let ga = penalty * (a - 1);
      let gb = penalty * b;
      let haa = penalty;
      let hab = 0;
      let hbb = penalty;
      for (let i = 0; i < count; i++) {
        const x = logits[i]!;
        const total = totals[i]!;
        const p = sigmoid(a * x + b);
        const residual = total * p - rights[i]!;
        const w = total * p * (1 - p);
        ga += residual * x;
        gb += residual;
        haa += w * x * x;
        hab += w * x;
        hbb += w;
      }
      const det = haa * hbb - hab * hab;
      if (!(det > 0)) break;
      const da = (hbb * ga - hab * gb) / det;
      const db = (haa * gb - hab * ga) / det;
      if (!(Number.isFinite(da) && Number.isFinite(db))) break;
      a -= da;
      b -= db;
      if (Math.abs(da) < 1e-9 && Math.abs(db) < 1e-9) break;
    }
    return new PlattMap(a, b);
  }

  /** Kept inside (0, 1): 0 means "no direction claimed", and no finite record supports 1. */
  apply(raw: number): number {
    return Math.min(0.999, Math.max(0.001, sigmoid(this.slope * logit(raw) + this.intercept)));
  }
}

function logit(p: number): number {
  const q = Math.min(1 - 1e-9, Math.max(1e-9, p));
  return Math.log(q / (1 - q));
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
