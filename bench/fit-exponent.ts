/**
 * How wall time grows with the estate: the least-squares fit of log(time) = k·log(N) + c.
 * k ≈ 1 is linear growth, k ≈ 0 a constant cost, k > 1 something that gets worse per resource.
 */
export interface PowerFit {
  /** The exponent k. */
  readonly exponent: number;
  /** e^c: the time the fit predicts at N = 1. */
  readonly coefficient: number;
  /** Coefficient of determination of the fit in log space (1 = on the line). */
  readonly r2: number;
  readonly points: number;
}

export function fitPowerLaw(points: readonly { n: number; value: number }[]): PowerFit | undefined {
  const usable = points.filter(
    (p) => p.n > 0 && p.value > 0 && Number.isFinite(p.n) && Number.isFinite(p.value),
  );
  if (usable.length < 2) return undefined;
  const xs = usable.map((p) => Math.log(p.n));
  const ys = usable.map((p) => Math.log(p.value));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return undefined;
  const exponent = sxy / sxx;
  const intercept = my - exponent * mx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { exponent, coefficient: Math.exp(intercept), r2, points: usable.length };
}
