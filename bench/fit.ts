// Least-squares power-law fit (y = a x^b on the logarithms), for how read units grow with the collection size.
/** A power law y = a * x^b fitted by least squares on (ln x, ln y). */
export interface PowerFit {
  /** b: the growth exponent (1 = linear in x, 0 = flat). */
  readonly exponent: number;
  /** a */
  readonly coefficient: number;
  /** Coefficient of determination of the log-log fit (1 = every point on the line); NaN with two points (null once through JSON). */
  readonly r2: number;
  readonly points: number;
}

/**
 * Least-squares fit of ln y = ln a + b ln x (ordinary least squares on the logarithms).
 * @throws RangeError with fewer than two points, a non-positive value, or all x equal
 */
export function fitPowerLaw(xs: readonly number[], ys: readonly number[]): PowerFit {
  if (xs.length !== ys.length || xs.length < 2) throw new RangeError('a power-law fit needs at least two (x, y) pairs');
  if ([...xs, ...ys].some((v) => !(v > 0))) throw new RangeError('a power-law fit needs positive x and y');
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const n = xs.length;
  const mx = lx.reduce((a, b) => a + b, 0) / n;
  const my = ly.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (lx[i] - mx) ** 2;
    sxy += (lx[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) ** 2;
  }
  if (sxx === 0) throw new RangeError('a power-law fit needs at least two different x');
  const b = sxy / sxx;
  const a = Math.exp(my - b * mx);
  const r2 = n > 2 && syy > 0 ? (sxy * sxy) / (sxx * syy) : NaN;
  return { exponent: b, coefficient: a, r2, points: n };
}
