// The shortest decimal of a float32: vectors are stored as float32, so answers and exports print each
// component with the fewest digits that read back as the same float32.
/**
 * The number with the fewest significant digits (1 to 9) that `Math.fround` maps back to `x`, a
 * float32 value; `x` itself when it is not one. Nine digits always suffice for a float32 (IEEE
 * 754-2008, 5.12.2), and a value that reads back at k digits also reads back at more, so the
 * digits are found by bisection.
 */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || Math.fround(x) !== x || x === 0) return x;
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(x.toPrecision(mid))) === x) hi = mid;
    else lo = mid + 1;
  }
  const y = Number(x.toPrecision(lo));
  return Math.fround(y) === x ? y : x;
}

/** A float32 vector as a JSON-ready list of the shortest decimals of its components. */
export function float32List(v: ArrayLike<number>): number[] {
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = shortestFloat32(v[i]);
  return out;
}
